import type { RequestRecord } from '../storage/request-record.ts'
import { modelFamily } from '../usage/model-id.ts'
import { findModelPrice, type PriceTable } from '../usage/price-table.ts'

/** `2xx` … `5xx`, or `none` when no status was sent (the client left first). */
export function statusClass(status: number | null): string {
  return status === null ? 'none' : `${Math.floor(status / 100)}xx`
}

/**
 * The model label: a priced model's family (`claude-sonnet-4-5`), `other` for any id the
 * price table does not know, `none` without a model. Model ids come from clients, so only
 * the price table's (bounded) list may become label values.
 */
export function modelLabeller(table: PriceTable): (model: string | null) => string {
  const seen = new Map<string, string>()
  return (model) => {
    if (model === null || model === '') return 'none'
    const hit = seen.get(model)
    if (hit !== undefined) return hit
    const label = findModelPrice(model, table) ? modelFamily(model) : 'other'
    // Bounded like the label set: a client cycling ids must not grow this map.
    if (seen.size < 1000) seen.set(model, label)
    return label
  }
}

export type UpstreamErrorKind =
  'timeout' | 'connection' | 'stream_interrupted' | 'rate_limited' | 'overloaded' | 'server_error'

/**
 * What went wrong upstream, if anything: no answer (`connection`, `timeout`), a stream that
 * broke after it started, or an error status from Anthropic (429, 529, other 5xx). A record
 * without response headers was answered by the proxy itself.
 */
export function upstreamErrorKind(r: RequestRecord): UpstreamErrorKind | null {
  const answered = r.responseHeaders !== null
  if (r.streamEnd === 'timeout') return 'timeout'
  if (r.streamEnd === 'upstream_error') return answered ? 'stream_interrupted' : 'connection'
  if (!answered || r.statusCode === null) return null
  if (r.statusCode === 429) return 'rate_limited'
  if (r.statusCode === 529) return 'overloaded'
  return r.statusCode >= 500 ? 'server_error' : null
}
