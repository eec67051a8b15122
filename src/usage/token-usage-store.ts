import { sql, type Kysely } from 'kysely'
import type { Tables } from '../db/schema.ts'
import { names, unnestRows, type ColumnTypes } from '../db/unnest-rows.ts'
import type { RequestRecord } from '../storage/request-record.ts'
import { usdToNano } from './money.ts'
import { SUMMED_COLUMNS } from './usage-sums.ts'

// Rows per statement (one array parameter per column, src/db/unnest-rows.ts): callers'
// batches are bounded already; this only bounds one that is not.
const ROWS_PER_INSERT = 2000

/**
 * The columns of token_usage_hourly and the SELECT that fills them from any relation with
 * token_usage's columns: the rows just inserted here, or the whole table for a rebuild or a
 * benchmark. Hours are UTC whatever the session's time zone. Ordered so that concurrent
 * writers lock rollup rows in the same order and cannot deadlock.
 */
export const ROLLUP_COLUMNS = `hour, account_id, domain, model, requests, error_requests,
  unpriced_requests, input_tokens, output_tokens, cache_creation_input_tokens,
  cache_creation_5m_tokens, cache_creation_1h_tokens, cache_read_input_tokens,
  web_search_requests, cost_nano_usd, first_at, last_at`

export function rollupSelect(source: string): string {
  return `select date_trunc('hour', timestamp, 'UTC'), coalesce(account_id, ''), domain,
    coalesce(model, ''), count(*), count(*) filter (where is_error),
    count(*) filter (where cost_nano_usd is null), sum(input_tokens), sum(output_tokens),
    sum(cache_creation_input_tokens), sum(cache_creation_5m_tokens),
    sum(cache_creation_1h_tokens), sum(cache_read_input_tokens), sum(web_search_requests),
    coalesce(sum(cost_nano_usd), 0), min(timestamp), max(timestamp)
  from ${source} group by 1, 2, 3, 4 order by 1, 2, 3, 4`
}

export const ROLLUP_ON_CONFLICT = `on conflict (hour, account_id, domain, model) do update set
  ${SUMMED_COLUMNS.map((c) => `${c} = token_usage_hourly.${c} + excluded.${c}`).join(',\n  ')},
  first_at = least(token_usage_hourly.first_at, excluded.first_at),
  last_at = greatest(token_usage_hourly.last_at, excluded.last_at)`

/**
 * Adds records to the usage ledger and its hourly rollup, inside the caller's transaction
 * (the one that inserts their api_requests rows). Only rows actually inserted reach the
 * rollup, so a record replayed from the spool is never counted twice.
 */
export async function insertTokenUsage(tx: Kysely<Tables>, records: readonly RequestRecord[]) {
  for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
    const rows = records.slice(i, i + ROWS_PER_INSERT).map(toUsageRow)
    await sql`with v as (${unnestRows(rows, USAGE_TYPES)}),
      inserted as (
        insert into token_usage (${names(USAGE_FIELDS)})
        select ${names(USAGE_FIELDS, 'v.')} from v order by v.ord
        on conflict do nothing
        returning *)
      insert into token_usage_hourly (${sql.raw(ROLLUP_COLUMNS)})
      ${sql.raw(rollupSelect('inserted'))}
      ${sql.raw(ROLLUP_ON_CONFLICT)}`.execute(tx)
  }
}

function toUsageRow(r: RequestRecord) {
  return {
    request_id: r.requestId,
    timestamp: r.timestamp,
    domain: r.domain,
    account_id: r.accountId,
    model: r.model,
    request_type: r.requestType,
    status_code: r.statusCode,
    is_error: r.error !== null || r.statusCode === null || r.statusCode >= 400,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cache_creation_input_tokens: r.cacheCreationInputTokens,
    // Records spooled by a version without these fields read as all 5-minute, unpriced.
    cache_creation_5m_tokens: r.cacheCreation5mTokens ?? r.cacheCreationInputTokens,
    cache_creation_1h_tokens: r.cacheCreation1hTokens ?? 0,
    cache_read_input_tokens: r.cacheReadInputTokens,
    web_search_requests: r.webSearchRequests ?? 0,
    cost_nano_usd: r.costUsd === null || r.costUsd === undefined ? null : usdToNano(r.costUsd),
    pricing_mode: r.pricingMode ?? null,
  }
}

const USAGE_TYPES: ColumnTypes<ReturnType<typeof toUsageRow>> = {
  request_id: 'uuid',
  timestamp: 'timestamptz',
  domain: 'text',
  account_id: 'text',
  model: 'text',
  request_type: 'text',
  status_code: 'integer',
  is_error: 'boolean',
  input_tokens: 'integer',
  output_tokens: 'integer',
  cache_creation_input_tokens: 'integer',
  cache_creation_5m_tokens: 'integer',
  cache_creation_1h_tokens: 'integer',
  cache_read_input_tokens: 'integer',
  web_search_requests: 'integer',
  cost_nano_usd: 'bigint',
  pricing_mode: 'text',
}
const USAGE_FIELDS = Object.keys(USAGE_TYPES)

const RATE_LIMIT_HEADER = /^anthropic-ratelimit-|^retry-after$/

/**
 * Keeps the newest rate-limit headers per account. Within a batch the latest record per
 * account wins; across batches and instances the row only moves forward in time.
 */
export async function upsertRateLimits(tx: Kysely<Tables>, records: readonly RequestRecord[]) {
  const latest = new Map<string, { record: RequestRecord; headers: Record<string, string> }>()
  for (const record of records) {
    if (record.accountId === null || record.responseHeaders === null) continue
    const headers = rateLimitHeaders(record.responseHeaders)
    if (!Object.keys(headers).some((name) => name.startsWith('anthropic-ratelimit-'))) continue
    const seen = latest.get(record.accountId)
    if (!seen || seen.record.timestamp <= record.timestamp)
      latest.set(record.accountId, { record, headers })
  }
  if (latest.size === 0) return
  const rows = [...latest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([accountId, { record, headers }]) => ({
      account_id: accountId,
      domain: record.domain,
      request_id: record.requestId,
      observed_at: record.timestamp,
      headers: JSON.stringify(headers),
    }))
  await tx
    .insertInto('account_rate_limits')
    .values(rows)
    .onConflict((oc) =>
      oc
        .column('account_id')
        .doUpdateSet({
          domain: (eb) => eb.ref('excluded.domain'),
          request_id: (eb) => eb.ref('excluded.request_id'),
          observed_at: (eb) => eb.ref('excluded.observed_at'),
          headers: (eb) => eb.ref('excluded.headers'),
        })
        .where('account_rate_limits.observed_at', '<=', (eb) => eb.ref('excluded.observed_at')),
    )
    .execute()
}

function rateLimitHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => RATE_LIMIT_HEADER.test(name)),
  )
}
