import type { MessageParam } from '../anthropic-types.ts'
import { sha256Hex } from './digest.ts'
import { rawTexts } from './message-text.ts'
import { stripSystemReminders } from './system-reminders.ts'

// The fixed instruction of Claude Code's compaction call (`/compact` and auto-compact).
const SUMMARY_REQUEST = /Your task is to create a detailed summary of the conversation so far/i

// What Claude Code writes after the summary in a continuation, current and legacy wording.
const AFTER_SUMMARY =
  /\n\s*(?:If you need specific details from before compaction|Continue the conversation from where it left off|Please continue the conversation from where we left)/i

/** Whether the last user message asks for Claude Code's conversation summary. */
export function asksForCompaction(messages: readonly MessageParam[]): boolean {
  const last = messages.at(-1)
  if (last?.role !== 'user') return false
  return rawTexts(last.content).some((text) => SUMMARY_REQUEST.test(stripSystemReminders(text)))
}

/**
 * The key of the summary a compaction call's answer gives: the `<summary>` part (Claude Code
 * keeps only that, as "Summary:"), whitespace collapsed. Null without any text.
 */
export function summaryKeyOfAnswer(content: unknown): string | null {
  const text = rawTexts(content).join('\n')
  const tagged = /<summary>([\s\S]*?)<\/summary>/i.exec(text)?.[1]
  return keyOf(tagged ?? text.replace(/<analysis>[\s\S]*?<\/analysis>/i, ''))
}

/**
 * The same key from a continuation's summary text (what follows the preamble): from
 * "Summary:" up to the instructions Claude Code appends after it.
 */
export function summaryKeyOfContinuation(summary: string): string | null {
  const start = /(?:^|\n)\s*Summary:/i.exec(summary)
  const body = start === null ? summary : summary.slice(start.index + start[0].length)
  const end = AFTER_SUMMARY.exec(body)
  return keyOf(end === null ? body : body.slice(0, end.index))
}

function keyOf(text: string): string | null {
  const collapsed = text.replace(/\s+/g, ' ').trim()
  return collapsed === '' ? null : sha256Hex(collapsed)
}
