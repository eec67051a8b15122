import type { Usage } from '../anthropic-types.ts'
import { nanoToUsd, usdToNano } from './money.ts'
import { addUsageInto, emptyTotals, type TokenTotals } from './token-totals.ts'

export const BLOCK_MS = 5 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
const MINUTE_MS = 60 * 1000

export interface UsageEntry {
  at: Date
  model: string
  usage: Usage
  /** From computeCost; null when the model was unpriced. */
  costUsd: number | null
}

/**
 * One of Claude's 5-hour usage blocks as ccusage reconstructs them from request times. The
 * real window is the server's; prefer `windowFromRateLimitHeaders` when upstream sent one.
 */
export interface UsageBlock {
  start: Date
  /** start + 5 h; the block covers [start, end). */
  end: Date
  firstAt: Date
  /** When the last request in the block was made. */
  actualEnd: Date
  isActive: boolean
  tokens: TokenTotals
  costUsd: number
  requests: number
  unpricedRequests: number
  models: string[]
}

/**
 * Groups entries into blocks the way ccusage does: a block starts at its first request's
 * time floored to the UTC hour, and a request opens a new block when it falls at or after
 * that block's end or more than 5 h after the previous request. (ccusage compares the end
 * with `>`; the block is half-open, so a request exactly at the end belongs to the next.)
 */
export function usageBlocks(entries: readonly UsageEntry[], now: Date): UsageBlock[] {
  const sorted = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime())
  const groups: { start: number; entries: UsageEntry[] }[] = []
  let current: { start: number; entries: UsageEntry[] } | undefined
  let previousAt = 0
  for (const entry of sorted) {
    const at = entry.at.getTime()
    if (!current || at >= current.start + BLOCK_MS || at - previousAt > BLOCK_MS) {
      current = { start: floorToUtcHour(at), entries: [] }
      groups.push(current)
    }
    current.entries.push(entry)
    previousAt = at
  }
  return groups.map((g) => summarize(g.start, g.entries, now.getTime()))
}

/**
 * The block active at `now`, or null. A block's start depends on the blocks before it, so
 * pass entries reaching back to the last idle gap of 5 h or more (a day is plenty unless
 * usage never pauses).
 */
export function currentBlock(entries: readonly UsageEntry[], now: Date): UsageBlock | null {
  const last = usageBlocks(entries, now).at(-1)
  return last?.isActive ? last : null
}

export interface BurnRate {
  /** All token kinds, cache reads included. */
  tokensPerMinute: number
  /** Input + output only: cache reads dwarf them in agent sessions (ccusage's indicator). */
  inputOutputTokensPerMinute: number
  costUsdPerHour: number
  activeMinutes: number
}

/**
 * Usage per unit of time since the block's first request, up to now (or the block's end,
 * once over). ccusage measures to the last request instead; measuring to now lets an idle
 * stretch lower the rate, so a projection does not assume a finished burst goes on.
 * Null until at least a moment has passed since the first request.
 */
export function burnRate(block: UsageBlock, now: Date): BurnRate | null {
  const until = Math.min(now.getTime(), block.end.getTime())
  const activeMinutes = (until - block.firstAt.getTime()) / MINUTE_MS
  if (activeMinutes <= 0) return null
  return {
    tokensPerMinute: block.tokens.total / activeMinutes,
    inputOutputTokensPerMinute: (block.tokens.input + block.tokens.output) / activeMinutes,
    costUsdPerHour: nanoToUsd((usdToNano(block.costUsd) * 60) / activeMinutes),
    activeMinutes,
  }
}

export interface Projection {
  /** All token kinds at the block's end if the current rate holds. */
  tokens: number
  costUsd: number
  remainingMinutes: number
}

/** Where an active block ends up at the current burn rate; null for inactive blocks. */
export function projection(block: UsageBlock, now: Date): Projection | null {
  if (!block.isActive) return null
  const rate = burnRate(block, now)
  if (!rate) return null
  const remainingMinutes = Math.max(0, (block.end.getTime() - now.getTime()) / MINUTE_MS)
  const costNano = usdToNano(block.costUsd)
  const extraNano = Math.round((costNano * remainingMinutes) / rate.activeMinutes)
  return {
    tokens: Math.round(block.tokens.total + rate.tokensPerMinute * remainingMinutes),
    costUsd: nanoToUsd(costNano + extraNano),
    remainingMinutes,
  }
}

function summarize(start: number, entries: UsageEntry[], now: number): UsageBlock {
  const tokens = emptyTotals()
  const models = new Set<string>()
  let costNano = 0
  let unpricedRequests = 0
  for (const entry of entries) {
    addUsageInto(tokens, entry.usage)
    models.add(entry.model)
    if (entry.costUsd === null) unpricedRequests++
    else costNano += usdToNano(entry.costUsd)
  }
  const end = start + BLOCK_MS
  const firstAt = entries[0]?.at.getTime() ?? start
  const lastAt = entries.at(-1)?.at.getTime() ?? start
  return {
    start: new Date(start),
    end: new Date(end),
    firstAt: new Date(firstAt),
    actualEnd: new Date(lastAt),
    isActive: now < end && now - lastAt < BLOCK_MS,
    tokens,
    costUsd: nanoToUsd(costNano),
    requests: entries.length,
    unpricedRequests,
    models: [...models],
  }
}

function floorToUtcHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS
}
