import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { Database } from '../db/database.ts'
import { AppError, BadRequestError, ServiceUnavailableError } from '../errors.ts'
import type { Log } from '../log.ts'
import { bucketKeys } from './time-buckets.ts'
import { findActiveHours, findRateLimits, findRollup, type UsageFilter } from './usage-store.ts'
import {
  accountsReport,
  currentReport,
  dailyReport,
  requestsHourlyReport,
  seriesReport,
  tokenStatsReport,
} from './usage-report.ts'

export interface UsageRoutesDeps {
  /** Null when storage is disabled: every route answers 503. */
  db: Database | null
  clock: () => number
  log: Log
  /** Guards every route; `requireDashboardKey(config.dashboard.apiKey)` for now. */
  auth: MiddlewareHandler
}

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
// How far back the 5-hour block chain is followed. Blocks chain only through continuous
// use, so a week without a 5-hour pause is the only case this cuts short.
const BLOCK_LOOKBACK_MS = 7 * DAY_MS

const timeZone = z
  .string()
  .max(64)
  .default('UTC')
  .refine(isTimeZone, { message: 'unknown time zone (use an IANA name such as Europe/Paris)' })
const filterSchema = {
  accountId: z.string().min(1).max(200).optional(),
  domain: z.string().min(1).max(253).optional(),
}
const currentQuery = z.object(filterSchema)
const daysQuery = z.object({
  ...filterSchema,
  days: z.coerce.number().int().min(1).max(366).default(30),
  timeZone,
})
const hoursQuery = z.object({
  ...filterSchema,
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 366)
    .default(24),
})
const seriesQuery = z.object({
  ...filterSchema,
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  granularity: z.enum(['hour', 'day']).default('hour'),
  groupBy: z.enum(['none', 'account', 'domain', 'model']).default('none'),
  timeZone,
})

/**
 * The usage API (docs/usage-api.md): tokens, cost, 5-hour windows and rate limits per
 * account and domain, read from the hourly rollup of token_usage.
 */
export function usageRoutes(deps: UsageRoutesDeps) {
  const app = new Hono()
  for (const path of ['/api/token-usage/*', '/api/usage/*', '/token-stats'])
    app.use(path, deps.auth)
  const now = () => new Date(deps.clock())
  const database = () => {
    if (!deps.db) throw new ServiceUnavailableError('Storage is disabled: there is no usage data.')
    return deps.db
  }

  app.get('/api/token-usage/current', async (c) => {
    const q = parse(currentQuery, c.req.query())
    const db = database()
    const at = now()
    const filter = filterOf(q)
    const [hours, recent, limits] = await Promise.all([
      findActiveHours(db, new Date(at.getTime() - BLOCK_LOOKBACK_MS), at, filter),
      findRollup(db, {
        from: new Date(at.getTime() - 5 * HOUR_MS),
        to: at,
        filter,
        by: ['account', 'domain', 'model', 'hour'],
      }),
      findRateLimits(db, filter.accountId === undefined ? undefined : [filter.accountId]),
    ])
    // Filtered by domain: the accounts that used it (rate limits are per account).
    const used = new Set(hours.map((h) => h.account_id))
    const rateLimits =
      filter.domain === undefined ? limits : limits.filter((l) => used.has(l.account_id))
    return c.json(
      currentReport({
        now: at,
        activeHours: hours.map((h) => ({ accountId: h.account_id, hours: h.hours })),
        recent,
        rateLimits,
      }),
    )
  })

  app.get('/api/token-usage/daily', async (c) => {
    const q = parse(daysQuery, c.req.query())
    const to = now()
    // One spare day covers a 25-hour DST day; the labels then keep the last `days` dates.
    const from = new Date(to.getTime() - (q.days + 1) * DAY_MS)
    const keys = bucketKeys(from, to, 'day', q.timeZone).slice(-q.days)
    const rows = await findRollup(database(), {
      from,
      to,
      filter: filterOf(q),
      by: ['model'],
      bucket: { granularity: 'day', timeZone: q.timeZone },
    })
    return c.json(dailyReport({ rows, keys, timeZone: q.timeZone }))
  })

  app.get('/api/token-usage/time-series', async (c) => {
    const q = parse(seriesQuery, c.req.query())
    const to = q.to ? new Date(q.to) : now()
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY_MS)
    const maxSpan = q.granularity === 'hour' ? 31 * DAY_MS : 366 * DAY_MS
    if (from > to) throw new BadRequestError('from must not be after to')
    if (to.getTime() - from.getTime() > maxSpan) {
      throw new BadRequestError(
        `The range is too long for ${q.granularity} buckets (at most ${maxSpan / DAY_MS} days)`,
      )
    }
    const rows = await findRollup(database(), {
      from,
      to,
      filter: filterOf(q),
      by: q.groupBy === 'none' ? [] : [q.groupBy],
      bucket: { granularity: q.granularity, timeZone: q.timeZone },
    })
    return c.json(
      seriesReport({
        rows,
        from,
        to,
        granularity: q.granularity,
        timeZone: q.timeZone,
        groupBy: q.groupBy,
      }),
    )
  })

  app.get('/api/token-usage/accounts', async (c) => {
    const q = parse(daysQuery, c.req.query())
    const to = now()
    const from = new Date(to.getTime() - q.days * DAY_MS)
    const db = database()
    const rows = await findRollup(db, { from, to, filter: filterOf(q), by: ['account', 'domain'] })
    const rateLimits = await findRateLimits(db, [...new Set(rows.map((r) => r.account_id ?? ''))])
    return c.json(accountsReport({ rows, rateLimits, from, to }))
  })

  app.get('/api/usage/requests/hourly', async (c) => {
    const q = parse(hoursQuery, c.req.query())
    const to = now()
    const from = new Date(to.getTime() - (q.hours - 1) * HOUR_MS)
    const rows = await findRollup(database(), {
      from,
      to,
      filter: filterOf(q),
      by: ['domain'],
      bucket: { granularity: 'hour', timeZone: 'UTC' },
    })
    return c.json(requestsHourlyReport({ rows, from, to }))
  })

  app.get('/token-stats', async (c) => {
    const q = parse(hoursQuery, c.req.query())
    const to = now()
    const from = new Date(to.getTime() - q.hours * HOUR_MS)
    const rows = await findRollup(database(), {
      from,
      to,
      filter: filterOf(q),
      by: ['domain', 'model'],
    })
    return c.json(tokenStatsReport({ rows, from, to }))
  })

  app.onError((err, c) => {
    if (err instanceof AppError) return c.json(err.toBody(), err.status as 400)
    deps.log.error('usage query failed', { path: c.req.path, error: err })
    const unavailable = new ServiceUnavailableError(
      'Usage data is unavailable: the database did not answer.',
    )
    return c.json(unavailable.toBody(), 503)
  })
  return app
}

function parse<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`)
  throw new BadRequestError(`Invalid query parameters: ${issues.join('; ')}`)
}

function filterOf(q: { accountId?: string | undefined; domain?: string | undefined }): UsageFilter {
  return { accountId: q.accountId, domain: q.domain }
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
    return true
  } catch {
    return false
  }
}
