import type { Usage } from '../anthropic-types.ts'

/** Token counts by kind; `cacheWrite` is every cache write whatever its TTL. */
export interface TokenTotals {
  input: number
  output: number
  cacheWrite: number
  cacheRead: number
  total: number
}

export function emptyTotals(): TokenTotals {
  return { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, total: 0 }
}

/** Adds one response's usage to an accumulator in place (callers own the accumulator). */
export function addUsageInto(totals: TokenTotals, usage: Usage): void {
  const input = count(usage.input_tokens)
  const output = count(usage.output_tokens)
  const cacheWrite = count(usage.cache_creation_input_tokens)
  const cacheRead = count(usage.cache_read_input_tokens)
  totals.input += input
  totals.output += output
  totals.cacheWrite += cacheWrite
  totals.cacheRead += cacheRead
  totals.total += input + output + cacheWrite + cacheRead
}

/**
 * Stored and upstream usage objects are not validated, so a missing or garbled count is
 * read as zero rather than poisoning a sum with NaN.
 */
export function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.trunc(value) : 0
}
