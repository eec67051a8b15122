import type { TranscriptEntry } from './transcript.ts'

/** A rough token count (4 characters a token): only for keeping the input under a budget. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

// The omission marker's own share of the budget.
const MARKER_TOKENS = 20

export interface Budget {
  maxTokens: number
  /** Of `maxTokens`, how much the start of the conversation keeps; the end gets the rest. */
  headTokens: number
}

export interface FittedTranscript {
  entries: TranscriptEntry[]
  omittedEntries: number
  estimatedTokens: number
}

/**
 * Keeps the head and the tail of a long conversation within the budget, with a visible
 * marker where the middle was left out: the opening states the task, the end how it went.
 */
export function fitToBudget(entries: readonly TranscriptEntry[], budget: Budget): FittedTranscript {
  const cost = entries.map((e) => estimateTokens(e.text) + 4)
  const total = cost.reduce((a, b) => a + b, 0)
  if (total <= budget.maxTokens)
    return { entries: [...entries], omittedEntries: 0, estimatedTokens: total }
  const head: TranscriptEntry[] = []
  let used = 0
  let i = 0
  for (; i < entries.length && used + cost[i]! <= budget.headTokens; i++) {
    head.push(entries[i]!)
    used += cost[i]!
  }
  // One oversized first message still gets its beginning.
  if (head.length === 0 && entries[0]) {
    head.push(clip(entries[0], budget.headTokens))
    used += budget.headTokens
    i = 1
  }
  const tail: TranscriptEntry[] = []
  const limit = budget.maxTokens - MARKER_TOKENS
  let j = entries.length - 1
  for (; j >= i && used + cost[j]! <= limit; j--) {
    tail.unshift(entries[j]!)
    used += cost[j]!
  }
  if (tail.length === 0 && j >= i) {
    tail.unshift(clipEnd(entries[j]!, Math.max(0, limit - used)))
    j--
  }
  const omitted = j - i + 1
  const marker: TranscriptEntry = {
    role: 'user',
    text: `[… ${omitted} turns omitted here to fit the analysis budget …]`,
  }
  return {
    entries: [...head, marker, ...tail],
    omittedEntries: omitted,
    estimatedTokens: used + MARKER_TOKENS,
  }
}

function clip(entry: TranscriptEntry, tokens: number): TranscriptEntry {
  return { role: entry.role, text: `${entry.text.slice(0, tokens * 4)} [… truncated]` }
}

function clipEnd(entry: TranscriptEntry, tokens: number): TranscriptEntry {
  return { role: entry.role, text: `[truncated …] ${entry.text.slice(-tokens * 4)}` }
}
