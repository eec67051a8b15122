import type { MessageParam, TextBlock } from '../anthropic-types.ts'
import { sha256Hex } from './digest.ts'
import { rawTexts } from './message-text.ts'
import { isRecord } from './records.ts'
import { stripVolatileSystemParts } from './volatile-system-parts.ts'

/**
 * SHA-256 hex of the system prompt with its volatile parts removed (README.md), or null when
 * there is none. The `role:"system"` entries Claude Code ≥ 2.1 puts inside `messages` count as
 * system prompt here, because they are left out of the message hash. Block boundaries and
 * whitespace are not significant: Claude Code re-splits its prompt into cache blocks between
 * versions.
 */
export function hashSystemPrompt(
  system: string | TextBlock[] | undefined,
  messages: readonly MessageParam[] = [],
): string | null {
  const texts = [...rawTexts(system), ...messages.flatMap(inlineSystemTexts)]
  const stable = texts.map(stripVolatileSystemParts).join('\n').replace(/\s+/g, ' ').trim()
  return stable === '' ? null : sha256Hex(stable)
}

function inlineSystemTexts(message: MessageParam): string[] {
  return isRecord(message) && message.role === 'system' ? rawTexts(message.content) : []
}
