import type { Usage } from '../anthropic-types.ts'
import { cacheWrites, computeCost, type CostOptions } from './cost.ts'
import type { PriceTable } from './price-table.ts'
import { pricingModeOf, type PricingMode } from './pricing-mode.ts'
import { count } from './token-totals.ts'

/** The usage facts stored with each request besides its raw token counts. */
export interface RequestCost {
  /** Null when tokens were used but the model is not in the price table. */
  costUsd: number | null
  cacheCreation5mTokens: number
  cacheCreation1hTokens: number
  webSearchRequests: number
  pricingMode: PricingMode
}

export type CostOf = (
  model: string | null,
  usage: Partial<Usage> | null,
  options?: CostOptions,
) => RequestCost

/**
 * Prices one response. A request that used nothing (an error, count_tokens, models) costs
 * 0 whatever its model; one that used tokens under an unknown model is unpriced (null).
 */
export function requestCost(
  model: string | null,
  usage: Partial<Usage> | null,
  table: PriceTable,
  options: CostOptions = {},
): RequestCost {
  const u = toUsage(usage)
  const writes = cacheWrites(u)
  const webSearchRequests = count(u.server_tool_use?.web_search_requests)
  const used =
    u.input_tokens + u.output_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens
  const priced = model === null ? null : computeCost(model, u, table, options)
  return {
    costUsd: used + webSearchRequests === 0 ? 0 : (priced?.totalUsd ?? null),
    cacheCreation5mTokens: writes.fiveMinute,
    cacheCreation1hTokens: writes.oneHour,
    webSearchRequests,
    pricingMode: pricingModeOf(u, options.batch === true),
  }
}

export function costWith(table: PriceTable): CostOf {
  return (model, usage, options) => requestCost(model, usage, table, options)
}

function toUsage(usage: Partial<Usage> | null): Usage {
  const u: Usage = {
    input_tokens: count(usage?.input_tokens),
    output_tokens: count(usage?.output_tokens),
    cache_creation_input_tokens: count(usage?.cache_creation_input_tokens),
    cache_read_input_tokens: count(usage?.cache_read_input_tokens),
  }
  if (usage?.cache_creation) u.cache_creation = usage.cache_creation
  if (usage?.server_tool_use) u.server_tool_use = usage.server_tool_use
  // Strings only: these come from upstream JSON and choose the multipliers.
  if (typeof usage?.service_tier === 'string') u.service_tier = usage.service_tier
  if (typeof usage?.speed === 'string') u.speed = usage.speed
  if (typeof usage?.inference_geo === 'string') u.inference_geo = usage.inference_geo
  return u
}
