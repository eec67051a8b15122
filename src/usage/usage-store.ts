import { sql, type RawBuilder } from 'kysely'
import type { Database } from '../db/database.ts'
import { bucketKey, type Granularity } from './time-buckets.ts'
import type { SumsRow } from './usage-sums.ts'

/** Restricts a usage query to one account and/or one domain. */
export interface UsageFilter {
  accountId?: string | undefined
  domain?: string | undefined
}

export type Dimension = 'account' | 'domain' | 'model' | 'hour'

export interface RollupQuery {
  /** Hours whose start is in [from, to]; `from` is floored to its hour. */
  from: Date
  to: Date
  filter?: UsageFilter
  by: readonly Dimension[]
  /** Adds a `bucket` column: the local day or hour label in `timeZone` (see time-buckets.ts). */
  bucket?: { granularity: Granularity; timeZone: string }
}

export interface RollupRow extends SumsRow {
  account_id?: string
  domain?: string
  model?: string
  hour?: Date
  bucket?: string
  first_at: Date
  last_at: Date
}

const HOUR_MS = 60 * 60 * 1000

const SUMS = sql.raw(`sum(requests) as requests, sum(error_requests) as error_requests,
  sum(unpriced_requests) as unpriced_requests, sum(input_tokens) as input_tokens,
  sum(output_tokens) as output_tokens,
  sum(cache_creation_input_tokens) as cache_creation_input_tokens,
  sum(cache_creation_5m_tokens) as cache_creation_5m_tokens,
  sum(cache_creation_1h_tokens) as cache_creation_1h_tokens,
  sum(cache_read_input_tokens) as cache_read_input_tokens,
  sum(web_search_requests) as web_search_requests, sum(cost_nano_usd) as cost_nano_usd,
  min(first_at) as first_at, max(last_at) as last_at`)

const COLUMN: Record<Dimension, string> = {
  account: 'account_id',
  domain: 'domain',
  model: 'model',
  hour: 'hour',
}

/**
 * Sums of token_usage_hourly grouped by the given dimensions: one indexed range scan of a
 * table that holds one row per account, domain, model and hour. Buckets are grouped on
 * instants in SQL (the UTC hour, or the start of the local day) and labelled here, which is
 * much cheaper than formatting every row in SQL.
 */
export async function findRollup(db: Database, q: RollupQuery): Promise<RollupRow[]> {
  const dims = q.by.map((d) => sql.raw(COLUMN[d]))
  const bucket = q.bucket
  if (bucket) {
    dims.push(
      bucket.granularity === 'hour'
        ? sql`hour as bucket_at`
        : sql`date_trunc('day', hour, ${bucket.timeZone}) as bucket_at`,
    )
  }
  const groupBy =
    dims.length === 0
      ? sql``
      : sql`group by ${sql.join(dims.map((_, i) => sql.raw(String(i + 1))))}`
  const select = dims.length === 0 ? SUMS : sql`${sql.join(dims)}, ${SUMS}`
  const result = await sql<RollupRow & { bucket_at?: Date }>`select ${select}
    from token_usage_hourly where ${rangeAndFilter(q.from, q.to, q.filter)} ${groupBy}`.execute(
    db.kysely,
  )
  // An aggregate over no rows still returns one row of nulls.
  const rows = result.rows.filter((r) => r.requests !== null)
  if (!bucket) return rows
  const labels = new Map<number, string>()
  for (const row of rows) {
    const at = row.bucket_at!.getTime()
    let label = labels.get(at)
    if (label === undefined)
      labels.set(at, (label = bucketKey(new Date(at), bucket.granularity, bucket.timeZone)))
    row.bucket = label
    delete row.bucket_at
  }
  return rows
}

export interface AccountHours {
  account_id: string
  /** The UTC hours with requests, oldest first. */
  hours: Date[]
}

/**
 * Per account, the hours in which it made requests: the input of the 5-hour block chain.
 * One row per account (hours as integers since the epoch) keeps a week of history cheap.
 */
export async function findActiveHours(
  db: Database,
  from: Date,
  to: Date,
  filter?: UsageFilter,
): Promise<AccountHours[]> {
  const result = await sql<{ account_id: string; hours: number[] }>`select account_id,
      array_agg(distinct (extract(epoch from hour) / 3600)::int) as hours
    from token_usage_hourly where ${rangeAndFilter(from, to, filter)}
    group by account_id`.execute(db.kysely)
  return result.rows.map((r) => ({
    account_id: r.account_id,
    hours: r.hours.map((h) => new Date(h * HOUR_MS)),
  }))
}

export interface RateLimitRow {
  account_id: string
  domain: string
  observed_at: Date
  headers: Record<string, string>
}

/** The latest rate-limit headers of the given accounts (all accounts when omitted). */
export async function findRateLimits(
  db: Database,
  accountIds?: readonly string[],
): Promise<RateLimitRow[]> {
  if (accountIds?.length === 0) return []
  let query = db.kysely
    .selectFrom('account_rate_limits')
    .select(['account_id', 'domain', 'observed_at', 'headers'])
  if (accountIds) query = query.where('account_id', 'in', accountIds)
  const rows = await query.execute()
  return rows.map((r) => ({ ...r, headers: r.headers as Record<string, string> }))
}

function rangeAndFilter(
  from: Date,
  to: Date,
  filter: UsageFilter | undefined,
): RawBuilder<unknown> {
  const start = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS).toISOString()
  const parts = [sql`hour >= ${start}`, sql`hour <= ${to.toISOString()}`]
  // The rollup stores an unknown account as ''; a filter for '' finds those.
  if (filter?.accountId !== undefined) parts.push(sql`account_id = ${filter.accountId}`)
  if (filter?.domain !== undefined) parts.push(sql`domain = ${filter.domain}`)
  return sql.join(parts, sql` and `)
}
