import { modelFamily } from './model-id.ts'
import { lastBlockFromHours, type BlockSpan } from './hourly-blocks.ts'
import { parseRateLimitHeaders, windowFromRateLimitHeaders } from './rate-limit-headers.ts'
import { bucketKeys, type Granularity } from './time-buckets.ts'
import { burnRate, projection, type UsageBlock } from './usage-blocks.ts'
import { sumsBy, sumsOf, type SumsRow } from './usage-sums.ts'

/** Shapes the JSON of the usage endpoints from query rows; documented in docs/usage-api.md. */

interface Row extends SumsRow {
  account_id?: string
  domain?: string
  model?: string
  hour?: Date
  bucket?: string
  first_at: Date
  last_at: Date
}

export interface RateLimitInput {
  account_id: string
  domain: string
  observed_at: Date
  headers: Record<string, string>
}

// The rollup stores an unknown account or model as ''.
const orNull = (value: string | undefined) => (value === undefined || value === '' ? null : value)

export function currentReport(input: {
  now: Date
  activeHours: readonly { accountId: string; hours: readonly Date[] }[]
  /** Rollup rows by account, domain, model and hour, reaching back at least 5 hours. */
  recent: readonly Row[]
  rateLimits: readonly RateLimitInput[]
}) {
  const { now } = input
  const hoursByAccount = new Map(input.activeHours.map((a) => [a.accountId, a.hours]))
  const limitsByAccount = new Map(input.rateLimits.map((r) => [r.account_id, r]))
  const ids = new Set([...hoursByAccount.keys(), ...limitsByAccount.keys()])
  const accounts = []
  for (const id of [...ids].sort()) {
    const span = lastBlockFromHours(hoursByAccount.get(id) ?? [], now)
    const active = span?.isActive ? span : null
    const limits = limitsByAccount.get(id)
    const window = windowFor(active, limits, now)
    if (!active && window?.source !== 'rate_limit_headers') continue
    accounts.push({
      accountId: orNull(id),
      block: active
        ? blockJson(
            active,
            input.recent.filter((r) => inBlock(r, id, active)),
            now,
          )
        : null,
      window,
      rateLimits: limits
        ? { observedAt: limits.observed_at, ...parseRateLimitHeaders(limits.headers) }
        : null,
    })
  }
  return { now, accounts }
}

function inBlock(r: Row, accountId: string, span: BlockSpan): boolean {
  return (
    r.account_id === accountId && r.hour !== undefined && r.hour >= span.start && r.hour < span.end
  )
}

function blockJson(span: BlockSpan, rows: Row[], now: Date) {
  const sums = sumsOf(rows)
  const firstAt = minDate(rows.map((r) => r.first_at)) ?? span.start
  const lastAt = maxDate(rows.map((r) => r.last_at)) ?? span.start
  const usageBlock: UsageBlock = {
    start: span.start,
    end: span.end,
    firstAt,
    actualEnd: lastAt,
    isActive: span.isActive,
    tokens: {
      input: sums.tokens.input,
      output: sums.tokens.output,
      cacheWrite: sums.tokens.cacheWrite,
      cacheRead: sums.tokens.cacheRead,
      total: sums.tokens.total,
    },
    costUsd: sums.costUsd,
    requests: sums.requests,
    unpricedRequests: sums.unpricedRequests,
    models: [],
  }
  return {
    start: span.start,
    end: span.end,
    firstRequestAt: firstAt,
    lastRequestAt: lastAt,
    isActive: span.isActive,
    ...sums,
    models: sumsBy(rows, (r) => modelFamily(r.model ?? '')).map((g) => ({
      model: orNull(g.key),
      ...g.sums,
    })),
    domains: sumsBy(rows, (r) => r.domain ?? '').map((g) => ({ domain: g.key, ...g.sums })),
    burnRate: burnRate(usageBlock, now),
    projection: projection(usageBlock, now),
  }
}

/**
 * The 5-hour window as upstream last reported it (`anthropic-ratelimit-unified-*`) while
 * that report has not expired; otherwise the reconstructed block's end as a best guess.
 */
function windowFor(block: BlockSpan | null, limits: RateLimitInput | undefined, now: Date) {
  const reported = limits ? windowFromRateLimitHeaders(limits.headers) : null
  if (limits && reported?.resetAt && reported.resetAt > now) {
    return { source: 'rate_limit_headers' as const, ...reported, observedAt: limits.observed_at }
  }
  if (!block) return null
  return {
    source: 'usage_blocks' as const,
    status: null,
    resetAt: block.end,
    utilization: null,
    representativeClaim: null,
    windowName: '5h',
    observedAt: null,
  }
}

export function dailyReport(input: {
  rows: readonly Row[]
  keys: readonly string[]
  timeZone: string
}) {
  const byDay = groupBy(input.rows, (r) => r.bucket ?? '')
  const days = input.keys.map((date) => {
    const rows = byDay.get(date) ?? []
    return {
      date,
      ...sumsOf(rows),
      models: sumsBy(rows, (r) => modelFamily(r.model ?? '')).map((g) => ({
        model: orNull(g.key),
        ...g.sums,
      })),
    }
  })
  const inRange = new Set(input.keys)
  return {
    timeZone: input.timeZone,
    from: input.keys[0] ?? null,
    to: input.keys.at(-1) ?? null,
    days,
    totals: sumsOf(input.rows.filter((r) => inRange.has(r.bucket ?? ''))),
  }
}

export type SeriesGroup = 'none' | 'account' | 'domain' | 'model'

export function seriesReport(input: {
  rows: readonly Row[]
  from: Date
  to: Date
  granularity: Granularity
  timeZone: string
  groupBy: SeriesGroup
}) {
  const buckets = bucketKeys(input.from, input.to, input.granularity, input.timeZone)
  const groupKey = (r: Row) =>
    input.groupBy === 'none'
      ? 'all'
      : input.groupBy === 'model'
        ? modelFamily(r.model ?? '')
        : ((input.groupBy === 'account' ? r.account_id : r[input.groupBy]) ?? '')
  const series = sumsBy(input.rows, groupKey).map((g) => {
    const byBucket = groupBy(g.rows, (r) => r.bucket ?? '')
    return {
      group: input.groupBy === 'none' ? 'all' : orNull(g.key),
      points: buckets.map((bucket) => ({ bucket, ...sumsOf(byBucket.get(bucket) ?? []) })),
    }
  })
  return {
    from: input.from,
    to: input.to,
    granularity: input.granularity,
    timeZone: input.timeZone,
    groupBy: input.groupBy,
    buckets,
    series,
  }
}

export function accountsReport(input: {
  rows: readonly Row[]
  rateLimits: readonly RateLimitInput[]
  from: Date
  to: Date
}) {
  const limits = new Map(input.rateLimits.map((r) => [r.account_id, r]))
  const accounts = sumsBy(input.rows, (r) => r.account_id ?? '').map((g) => {
    const limit = limits.get(g.key)
    return {
      accountId: orNull(g.key),
      domains: [...new Set(g.rows.map((r) => r.domain ?? ''))].sort(),
      firstRequestAt: minDate(g.rows.map((r) => r.first_at)),
      lastRequestAt: maxDate(g.rows.map((r) => r.last_at)),
      ...g.sums,
      rateLimits: limit
        ? { observedAt: limit.observed_at, ...parseRateLimitHeaders(limit.headers) }
        : null,
    }
  })
  return { from: input.from, to: input.to, accounts }
}

export function requestsHourlyReport(input: { rows: readonly Row[]; from: Date; to: Date }) {
  const hours = bucketKeys(input.from, input.to, 'hour')
  const domains = sumsBy(input.rows, (r) => r.domain ?? '').map((g) => {
    const byHour = groupBy(g.rows, (r) => r.bucket ?? '')
    return {
      domain: g.key,
      requests: g.sums.requests,
      points: hours.map((hour) => {
        const s = sumsOf(byHour.get(hour) ?? [])
        return { hour, requests: s.requests, errorRequests: s.errorRequests }
      }),
    }
  })
  return { from: input.from, to: input.to, hours, domains }
}

export function tokenStatsReport(input: { rows: readonly Row[]; from: Date; to: Date }) {
  const domains = sumsBy(input.rows, (r) => r.domain ?? '').map((g) => ({
    domain: g.key,
    ...g.sums,
    models: sumsBy(g.rows, (r) => modelFamily(r.model ?? '')).map((m) => ({
      model: orNull(m.key),
      ...m.sums,
    })),
  }))
  return { from: input.from, to: input.to, totals: sumsOf(input.rows), domains }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list) list.push(item)
    else out.set(k, [item])
  }
  return out
}

function minDate(dates: Date[]): Date | null {
  return dates.reduce<Date | null>((a, d) => (a === null || d < a ? d : a), null)
}

function maxDate(dates: Date[]): Date | null {
  return dates.reduce<Date | null>((a, d) => (a === null || d > a ? d : a), null)
}
