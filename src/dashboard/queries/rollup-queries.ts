import { sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import { modelFamily } from '../../usage/model-id.ts'
import { SUMMED_COLUMNS, type SumsRow } from '../../usage/usage-sums.ts'
import type { DomainScope } from '../auth/scope.ts'
import { scopeSql } from './scope-sql.ts'

/**
 * Reads the usage engineer's hourly rollup (src/usage/migrations/020_token_usage.sql: one
 * row per hour, account, domain and model, kept in the same transaction as api_requests),
 * limited to the viewer's domains. Summing it is a short index range scan whatever the
 * number of stored requests.
 */
export type RollupKey = 'day' | 'hour' | 'domain' | 'model' | 'account'

export interface RollupRow extends SumsRow {
  /** UTC day or hour start, when grouped by one of them. */
  at?: Date
  domain?: string
  model?: string
  account_id?: string
  first_at: Date
  last_at: Date
}

const HOUR_MS = 60 * 60 * 1000

const KEY_SQL: Record<RollupKey, string> = {
  // UTC days. date_bin gives the same bucket as date_trunc('day', hour, 'UTC') at well under
  // half its cost (no time zone conversion), which a month of hourly rows makes visible.
  day: `date_part('epoch', date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00')) * 1000 as at_ms`,
  hour: `date_part('epoch', hour) * 1000 as at_ms`,
  domain: 'domain',
  model: 'model',
  account: 'account_id',
}

export async function sumRollup(
  db: Database,
  scope: DomainScope,
  q: { from: Date; to: Date; by: readonly RollupKey[] },
): Promise<RollupRow[]> {
  const start = new Date(Math.floor(q.from.getTime() / HOUR_MS) * HOUR_MS)
  const keys = q.by.map((k) => sql.raw(KEY_SQL[k]))
  const select = keys.length > 0 ? sql`${sql.join(keys)},` : sql``
  const groupBy =
    keys.length > 0 ? sql`group by ${sql.join(q.by.map((_, i) => sql.raw(String(i + 1))))}` : sql``
  // Times come back as epoch milliseconds, which both drivers read as plain numbers instead
  // of parsing timestamp text for every row.
  const result = await sql<RawRollupRow>`
    select ${select}
      sum(requests) as requests, sum(error_requests) as error_requests,
      sum(unpriced_requests) as unpriced_requests, sum(input_tokens) as input_tokens,
      sum(output_tokens) as output_tokens, sum(cache_creation_input_tokens) as cache_creation_input_tokens,
      sum(cache_creation_5m_tokens) as cache_creation_5m_tokens,
      sum(cache_creation_1h_tokens) as cache_creation_1h_tokens,
      sum(cache_read_input_tokens) as cache_read_input_tokens,
      sum(web_search_requests) as web_search_requests, sum(cost_nano_usd) as cost_nano_usd,
      date_part('epoch', min(first_at)) * 1000 as first_ms,
      date_part('epoch', max(last_at)) * 1000 as last_ms
    from token_usage_hourly
    where hour >= ${start} and hour <= ${q.to} and ${scopeSql(scope)}
    ${groupBy}`.execute(db.kysely)
  const rows = result.rows
    .filter((r) => r.requests !== null)
    .map(({ at_ms, first_ms, last_ms, ...sums }) => ({
      ...sums,
      ...(at_ms === undefined ? {} : { at: new Date(at_ms) }),
      first_at: new Date(first_ms),
      last_at: new Date(last_ms),
    }))
  return q.by.includes('model') ? mergeModelFamilies(rows) : rows
}

// A dated id and its alias are one model on every chart and table (src/usage/model-id.ts).
function mergeModelFamilies(rows: RollupRow[]): RollupRow[] {
  const merged = new Map<string, RollupRow>()
  for (const row of rows) {
    const model = modelFamily(row.model ?? '')
    const key = JSON.stringify([row.at?.getTime(), row.domain, row.account_id, model])
    const seen = merged.get(key)
    if (!seen) {
      merged.set(key, { ...row, model })
      continue
    }
    for (const f of SUMMED_COLUMNS) seen[f] = Number(seen[f]) + Number(row[f])
    if (row.first_at < seen.first_at) seen.first_at = row.first_at
    if (row.last_at > seen.last_at) seen.last_at = row.last_at
  }
  return [...merged.values()]
}

type RawRollupRow = Omit<RollupRow, 'at' | 'first_at' | 'last_at'> & {
  at_ms?: number
  first_ms: number
  last_ms: number
}

/** An account and an hour it made requests in: all the 5-hour block chain needs. */
export interface ActiveHour {
  account_id: string
  at: Date
}

/** The hours each account was active in, without sums (a week of them is thousands of rows). */
export async function findActiveHours(
  db: Database,
  scope: DomainScope,
  q: { from: Date; to: Date },
): Promise<ActiveHour[]> {
  const start = new Date(Math.floor(q.from.getTime() / HOUR_MS) * HOUR_MS)
  const result = await sql<{ account_id: string; at_ms: number }>`
    select account_id, date_part('epoch', hour) * 1000 as at_ms from token_usage_hourly
    where hour >= ${start} and hour <= ${q.to} and ${scopeSql(scope)}
    group by 1, 2`.execute(db.kysely)
  return result.rows.map((r) => ({ account_id: r.account_id, at: new Date(r.at_ms) }))
}

export interface RateLimitRow {
  account_id: string
  domain: string
  observed_at: Date
  headers: Record<string, string>
}

/** The latest rate-limit headers per account, for accounts seen on the viewer's domains. */
export async function findRateLimitRows(db: Database, scope: DomainScope): Promise<RateLimitRow[]> {
  const result = await sql<RateLimitRow>`
    select account_id, domain, observed_at, headers from account_rate_limits
    where ${scopeSql(scope)} order by observed_at desc limit 200`.execute(db.kysely)
  return result.rows.map((r) => ({ ...r, observed_at: new Date(r.observed_at) }))
}
