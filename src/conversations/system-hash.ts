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
  // JSON keeps the block boundaries: a plain join would make ['a\u0000b'] and ['a', 'b'] one key.
  const key = JSON.stringify(texts)
  const known = recentHashes.get(key)
  if (known !== undefined) return known
  const stable = texts.map(stripVolatileSystemParts).join('\n').replace(/\s+/g, ' ').trim()
  const hash = stable === '' ? null : sha256Hex(stable)
  remember(key, hash)
  return hash
}

// A client sends the same system prompt with every turn of a session, and stripping its
// volatile parts (several regular expressions over 10–30 KB) was a fifth of the proxy's CPU
// per request. The hash is a pure function of the raw texts, so recent ones are remembered.
const RECENT_LIMIT = 64
const recentHashes = new Map<string, string | null>()

function remember(key: string, hash: string | null): void {
  if (recentHashes.size >= RECENT_LIMIT) {
    const oldest = recentHashes.keys().next()
    if (!oldest.done) recentHashes.delete(oldest.value)
  }
  recentHashes.set(key, hash)
}

function inlineSystemTexts(message: MessageParam): string[] {
  return isRecord(message) && message.role === 'system' ? rawTexts(message.content) : []
}
