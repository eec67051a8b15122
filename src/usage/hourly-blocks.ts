import { BLOCK_MS } from './usage-blocks.ts'

export interface BlockSpan {
  start: Date
  /** start + 5 h; the block covers [start, end). */
  end: Date
  isActive: boolean
}

/**
 * The last 5-hour block, found from the UTC hours in which an account made requests rather
 * than from every request, with exactly the start and end `usageBlocks` (usage-blocks.ts)
 * gives: a block starts at a request's hour and lasts five whole hours, so block edges fall
 * on the hour and all requests of one hour belong to the same block. (ccusage's other rule,
 * a gap of more than 5 h, is implied: such a request already falls at or after the block's
 * end.) The block is active while `now` is before its end; its last request is then
 * necessarily less than five hours old. Lets the current window be computed from a list of
 * hours per account instead of every request of the last days.
 */
export function lastBlockFromHours(hours: readonly Date[], now: Date): BlockSpan | null {
  const sorted = hours.map((h) => h.getTime()).sort((a, b) => a - b)
  let start: number | undefined
  for (const hour of sorted) {
    if (start === undefined || hour >= start + BLOCK_MS) start = hour
  }
  if (start === undefined) return null
  return {
    start: new Date(start),
    end: new Date(start + BLOCK_MS),
    isActive: now.getTime() < start + BLOCK_MS,
  }
}
