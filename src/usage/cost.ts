import type { Usage } from '../anthropic-types.ts'
import { nanoPerToken, nanoToUsd } from './money.ts'
import { pricingModeOf, type PricingMode } from './pricing-mode.ts'
import { findModelPrice, type PriceTable, type TokenRates } from './price-table.ts'
import { count } from './token-totals.ts'

export interface CostBreakdown {
  inputUsd: number
  outputUsd: number
  /** 5-minute and 1-hour cache writes together. */
  cacheWriteUsd: number
  cacheReadUsd: number
  webSearchUsd: number
  totalUsd: number
  /** The total as integer nano-dollars, for exact sums across many requests. */
  totalNanoUsd: number
  /** Whether the prompt passed the model's long-context threshold. */
  longContext: boolean
  /** Which multipliers applied (batch, fast, us) besides the list rates. */
  pricingMode: PricingMode
}

export interface CostOptions {
  /** A Message Batches result: every token at the table's batch multiplier. */
  batch?: boolean
}

/**
 * What one response cost, or null when the model is not in the table or its pricing mode
 * has no known multiplier (an unpriced request: counted, never guessed). Token parts are
 * list rates times the mode's multipliers (batch, fast, data residency), each computed in
 * integer nano-dollars and converted once, so parts add up to the total exactly.
 */
export function computeCost(
  model: string,
  usage: Usage,
  table: PriceTable,
  options: CostOptions = {},
): CostBreakdown | null {
  const price = findModelPrice(model, table)
  if (!price) return null
  const mode = pricingModeOf(usage, options.batch === true)
  const factor = modeMultiplier(mode, price.fastMultiplier, table)
  if (factor === null) return null
  const long = price.longContext !== null && promptTokens(usage) > price.longContext.thresholdTokens
  const r: TokenRates = long && price.longContext ? price.longContext : price
  const writes = cacheWrites(usage)
  const scaled = (nano: number) => Math.round(nano * factor)
  const input = scaled(count(usage.input_tokens) * nanoPerToken(r.input))
  const output = scaled(count(usage.output_tokens) * nanoPerToken(r.output))
  const cacheWrite = scaled(
    writes.fiveMinute * nanoPerToken(r.cacheWrite5m) +
      writes.oneHour * nanoPerToken(r.cacheWrite1h),
  )
  const cacheRead = scaled(count(usage.cache_read_input_tokens) * nanoPerToken(r.cacheRead))
  // USD per 1,000 searches is nano-dollars per search × 1e-6.
  const webSearch =
    count(usage.server_tool_use?.web_search_requests) * Math.round(table.webSearchUsdPer1k * 1e6)
  const total = input + output + cacheWrite + cacheRead + webSearch
  return {
    inputUsd: nanoToUsd(input),
    outputUsd: nanoToUsd(output),
    cacheWriteUsd: nanoToUsd(cacheWrite),
    cacheReadUsd: nanoToUsd(cacheRead),
    webSearchUsd: nanoToUsd(webSearch),
    totalUsd: nanoToUsd(total),
    totalNanoUsd: total,
    longContext: long,
    pricingMode: mode,
  }
}

// Multipliers stack (a US-only batch result is 0.5 × 1.1). Null: fast mode on a model
// without a known fast multiplier, or a geography the table does not know.
function modeMultiplier(
  mode: PricingMode,
  fastMultiplier: number | null,
  table: PriceTable,
): number | null {
  let factor = 1
  for (const part of mode.split('+')) {
    if (part === 'batch') factor *= table.batchMultiplier
    else if (part === 'fast') {
      if (fastMultiplier === null) return null
      factor *= fastMultiplier
    } else if (part !== 'standard') {
      const geo = Object.hasOwn(table.inferenceGeoMultipliers, part)
        ? table.inferenceGeoMultipliers[part]
        : undefined
      if (geo === undefined) return null
      factor *= geo
    }
  }
  return factor
}

/** Everything the model read: the figure long-context thresholds are measured against. */
export function promptTokens(usage: Usage): number {
  return (
    count(usage.input_tokens) +
    count(usage.cache_creation_input_tokens) +
    count(usage.cache_read_input_tokens)
  )
}

/**
 * Cache writes split by TTL. Without upstream's split every write is taken as 5-minute, the
 * default TTL. If the split accounts for fewer tokens than the total (a partial report), the
 * rest is priced at the 5-minute rate rather than dropped.
 */
export function cacheWrites(usage: Usage): { fiveMinute: number; oneHour: number } {
  const total = count(usage.cache_creation_input_tokens)
  const split = usage.cache_creation
  if (!split) return { fiveMinute: total, oneHour: 0 }
  const oneHour = count(split.ephemeral_1h_input_tokens)
  const fiveMinute = count(split.ephemeral_5m_input_tokens)
  return { fiveMinute: fiveMinute + Math.max(0, total - fiveMinute - oneHour), oneHour }
}
