import type { Usage } from '../anthropic-types.ts'

/**
 * How a request was billed besides its model's list rates: `standard`, or the multipliers
 * that applied joined by `+` in a fixed order — `batch`, `fast`, then the inference
 * geography when it is not global (`us`). E.g. `fast+us`, `batch`. Stored per request.
 */
export type PricingMode = string

// Geographies billed at list price; anything else is priced by the table's geo multipliers.
const LIST_PRICE_GEOS = new Set(['global', 'not_available', ''])

export function pricingModeOf(usage: Partial<Usage>, batch: boolean): PricingMode {
  const parts: string[] = []
  if (batch || usage.service_tier === 'batch') parts.push('batch')
  if (usage.speed === 'fast') parts.push('fast')
  const geo = typeof usage.inference_geo === 'string' ? usage.inference_geo.toLowerCase() : ''
  // Upstream's value is stored: anything unexpected is kept short and unpriced.
  if (!LIST_PRICE_GEOS.has(geo)) parts.push(/^[a-z][a-z0-9_-]{0,15}$/.test(geo) ? geo : 'other')
  return parts.length === 0 ? 'standard' : parts.join('+')
}
