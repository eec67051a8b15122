import { createHash, type Hash } from 'node:crypto'
import type { MessageParam } from '../anthropic-types.ts'
import { hashCanonicalJson } from './canonical-json.ts'
import { normalizeMessages } from './normalize-messages.ts'

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
  return computeMessageHashes(messages).current
}

/**
 * All three hashes in one pass: each is SHA-256 of the canonical JSON array of a prefix of the
 * normalised list, so the hash state is copied where a prefix ends instead of serialising and
 * hashing the same messages three times.
 */
export function computeMessageHashes(messages: readonly MessageParam[]): MessageHashes {
  const normalized = normalizeMessages(messages)
  const count = normalized.length
  const hash = createHash('sha256').update('[')
  let parent: string | null = null
  let grandparent: string | null = null
  // Before message i the hash holds the first i messages; an empty prefix (i = 0) has none.
  normalized.forEach((message, i) => {
    if (i > 0 && i === count - 2) parent = closed(hash.copy())
    if (i > 0 && i === count - 4) grandparent = closed(hash.copy())
    if (i > 0) hash.update(',')
    hashCanonicalJson(hash, message)
  })
  return { current: closed(hash), parent, grandparent, messageCount: count }
}

function closed(hash: Hash): string {
  return hash.update(']').digest('hex')
}
