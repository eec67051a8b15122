import { stripSystemReminders } from './system-reminders.ts'

// Lines Claude Code rewrites while one conversation goes on: the date, the model line (after
// `/model`), the billing header carrying the client version and a per-request checksum.
const VOLATILE_LINES = [
  /^[ \t]*(?:-[ \t]*)?Today's date(?: is|:).*$/gim,
  /^[ \t]*(?:-[ \t]*)?You are powered by the model\b.*$/gim,
  /^[ \t]*(?:-[ \t]*)?Assistant knowledge cutoff is\b.*$/gim,
  /^[ \t]*x-anthropic-billing-header:.*$/gim,
]

/**
 * The system prompt without the parts that change within one conversation. The working
 * directory, platform and instructions stay: they tell one project's conversations from
 * another's.
 */
export function stripVolatileSystemParts(text: string): string {
  let out = removeGitStatus(stripSystemReminders(text))
  for (const line of VOLATILE_LINES) out = out.replace(line, '')
  return out
}

// The git snapshot runs from "gitStatus:" through the "Recent commits:" list, which ends at
// the first blank line or at the end of the block.
function removeGitStatus(text: string): string {
  const start = text.indexOf('gitStatus:')
  if (start < 0) return text
  const commits = text.indexOf('Recent commits:', start)
  const blank = commits < 0 ? -1 : text.indexOf('\n\n', commits)
  return blank < 0 ? text.slice(0, start) : text.slice(0, start) + text.slice(blank)
}
