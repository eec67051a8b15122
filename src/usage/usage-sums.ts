import { nanoToUsd } from './money.ts'

/** Totals over any set of requests, as every usage endpoint reports them. */
export interface UsageSums {
  requests: number
  errorRequests: number
  /** Requests that used tokens under a model the price table does not know. */
  unpricedRequests: number
  tokens: {
    input: number
    output: number
    /** All cache writes; the two TTLs below add up to it. */
    cacheWrite: number
    cacheWrite5m: number
    cacheWrite1h: number
    cacheRead: number
    /** input + output + cacheWrite + cacheRead. */
    total: number
  }
  webSearchRequests: number
  costUsd: number
}

/** The summed rollup columns, as the usage queries select them. */
export interface SumsRow {
  requests: number
  error_requests: number
  unpriced_requests: number
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_creation_5m_tokens: number
  cache_creation_1h_tokens: number
  cache_read_input_tokens: number
  web_search_requests: number
  cost_nano_usd: number
}

/** Every column of SumsRow: what an hourly rollup row adds up. */
export const SUMMED_COLUMNS: readonly (keyof SumsRow)[] = [
  'requests',
  'error_requests',
  'unpriced_requests',
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_creation_5m_tokens',
  'cache_creation_1h_tokens',
  'cache_read_input_tokens',
  'web_search_requests',
  'cost_nano_usd',
]

export function emptySums(): UsageSums {
  return sumsOf([])
}

/** Adds rows up in integer nano-dollars and converts once, so costs never drift. */
export function sumsOf(rows: readonly SumsRow[]): UsageSums {
  const t = { input: 0, output: 0, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }
  let requests = 0
  let errorRequests = 0
  let unpricedRequests = 0
  let webSearchRequests = 0
  let costNano = 0
  for (const r of rows) {
    requests += Number(r.requests)
    errorRequests += Number(r.error_requests)
    unpricedRequests += Number(r.unpriced_requests)
    t.input += Number(r.input_tokens)
    t.output += Number(r.output_tokens)
    t.cacheWrite += Number(r.cache_creation_input_tokens)
    t.cacheWrite5m += Number(r.cache_creation_5m_tokens)
    t.cacheWrite1h += Number(r.cache_creation_1h_tokens)
    t.cacheRead += Number(r.cache_read_input_tokens)
    webSearchRequests += Number(r.web_search_requests)
    costNano += Number(r.cost_nano_usd)
  }
  const total = t.input + t.output + t.cacheWrite + t.cacheRead
  return {
    requests,
    errorRequests,
    unpricedRequests,
    tokens: { ...t, total },
    webSearchRequests,
    costUsd: nanoToUsd(costNano),
  }
}

/** Rows grouped by a key, in key order, each group summed. */
export function sumsBy<R extends SumsRow>(
  rows: readonly R[],
  key: (row: R) => string,
): { key: string; sums: UsageSums; rows: R[] }[] {
  const groups = new Map<string, R[]>()
  for (const row of rows) {
    const k = key(row)
    const list = groups.get(k)
    if (list) list.push(row)
    else groups.set(k, [row])
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, list]) => ({ key: k, sums: sumsOf(list), rows: list }))
}
