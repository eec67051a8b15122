import type { MessageParam } from '../anthropic-types.ts'
import { canonicalJson } from './canonical-json.ts'
import { sha256Hex } from './digest.ts'
import { normalizeMessages, type NormalizedMessage } from './normalize-messages.ts'

export interface MessageHashes {
  /** Hash of the whole normalised message list. */
  current: string
  /** Hash without the last exchange (user turn + assistant answer); null when nothing is left. */
  parent: string | null
  /** Hash without the last two exchanges, for a parent whose record was lost; null when empty. */
  grandparent: string | null
  /** Messages left after normalisation (system entries, empty and merged turns not counted). */
  messageCount: number
}

/** SHA-256 hex of the normalised message list. */
export function hashMessages(messages: readonly MessageParam[]): string {
  return hashNormalized(normalizeMessages(messages))
}

export function computeMessageHashes(messages: readonly MessageParam[]): MessageHashes {
  const normalized = normalizeMessages(messages)
  return {
    current: hashNormalized(normalized),
    parent: prefixHash(normalized, 2),
    grandparent: prefixHash(normalized, 4),
    messageCount: normalized.length,
  }
}

function hashNormalized(normalized: readonly NormalizedMessage[]): string {
  return sha256Hex(canonicalJson(normalized))
}

function prefixHash(normalized: readonly NormalizedMessage[], drop: number): string | null {
  const prefix = normalized.slice(0, Math.max(0, normalized.length - drop))
  return prefix.length === 0 ? null : hashNormalized(prefix)
}
