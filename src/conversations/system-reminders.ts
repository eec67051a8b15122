const REMINDER = /<system-reminder\b[^>]*>[\s\S]*?<\/system-reminder\s*>/g

/**
 * Claude Code injects `<system-reminder>` blocks (CLAUDE.md, dates, todo nudges, file-change
 * notices) into user turns and tool results, and re-sends them differently on every turn.
 * They are context, not conversation, so they are cut out before anything is compared.
 */
export function stripSystemReminders(text: string): string {
  return text.replace(REMINDER, '')
}
