// Usage API queries on PostgreSQL with 1,000,000 generated requests: the current 5-hour
// window, daily over 30 days, hourly series, accounts, token stats. Target: each at most
// 100 ms. `bench/main.ts` calls `benchUsageQueries(db)`; on its own:
//
//   node bin/run-ts.js bench/usage.ts [--postgres-url=postgres://…/db] [--rows=1000000]
//
// It works in a schema of its own (created and dropped) on that database.
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { openPostgres, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { silentLog } from '../src/log.ts'
import { insertRequestRecords } from '../src/storage/request-store.ts'
import { ensureTokenUsagePartitions } from '../src/usage/token-usage-partitions-store.ts'
import {
  insertTokenUsage,
  ROLLUP_COLUMNS,
  ROLLUP_ON_CONFLICT,
  rollupSelect,
  upsertRateLimits,
} from '../src/usage/token-usage-store.ts'
import { usageRoutes } from '../src/usage/usage-routes.ts'
import { usageRecord } from '../src/usage/usage-test-records.ts'
import { num, table, verdict, type Target } from './report.ts'

export interface UsageBenchOptions {
  rows?: number
  /** Timed runs per query after three warm-up runs; the median is reported. */
  runs?: number
  print?: (line: string) => void
  /** Leave the generated rows in place (to look at query plans afterwards). */
  keep?: boolean
}

export interface UsageQueryFigure {
  name: string
  path: string
  medianMs: number
  maxMs: number
}

export interface UsageBenchResult {
  rows: number
  rollupRows: number
  generateMs: number
  rollupMs: number
  queries: UsageQueryFigure[]
  /** The daily query run straight on token_usage, for comparison with the rollup. */
  dailyWithoutRollupMs: number
  /** One writer batch of 200 records: api_requests, token_usage and rollup in one transaction. */
  insertBatchMs: number
  /** Of which the usage part alone (token_usage, rollup, rate limits). */
  usageInsertMs: number
  targets: Target[]
}

const LIMIT_MS = 100
// Warm the pool's connections (each opens cold, with empty catalog caches) and the JIT.
const WARMUP_RUNS = 3
const ACCOUNTS = 20
const SPAN_MS = 30 * 24 * 60 * 60 * 1000

/**
 * Fills token_usage (and its hourly rollup, with the writer's own statement) with `rows`
 * requests spread over the last 30 days, times each usage endpoint end to end (query and
 * JSON), then deletes what it generated. Expects a migrated PostgreSQL database.
 */
export async function benchUsageQueries(
  db: Database,
  options: UsageBenchOptions = {},
): Promise<UsageBenchResult> {
  const rows = options.rows ?? 1_000_000
  const runs = options.runs ?? 7
  const print = options.print ?? ((line: string) => console.log(line))
  const now = Date.now()
  const tag = `bench${randomBytes(3).toString('hex')}`
  print(`usage queries: generating ${num(rows, 0)} requests over 30 days on ${db.backend}…`)
  await ensureTokenUsagePartitions(db, new Date(now - SPAN_MS))
  await ensureTokenUsagePartitions(db, new Date(now))
  try {
    const generateMs = await timed(() => generate(db, tag, rows, now))
    const rollupMs = await timed(() =>
      sql`insert into token_usage_hourly (${sql.raw(ROLLUP_COLUMNS)})
        ${sql.raw(rollupSelect(`(select * from token_usage where account_id like '${tag}%') as generated`))}
        ${sql.raw(ROLLUP_ON_CONFLICT)}`.execute(db.kysely),
    )
    // As in steady state, where autovacuum has caught up; otherwise it would run during the
    // timings below and measure itself.
    await sql`vacuum (analyze) token_usage`.execute(db.kysely)
    await sql`vacuum (analyze) token_usage_hourly`.execute(db.kysely)
    const rollupRows = Number(
      (
        await sql<{
          n: number
        }>`select count(*) as n from token_usage_hourly where account_id like ${tag + '%'}`.execute(
          db.kysely,
        )
      ).rows[0]?.n,
    )

    const app = usageRoutes({
      db,
      clock: Date.now,
      log: silentLog,
      auth: async (_c, next) => next(),
    })
    const queries: UsageQueryFigure[] = []
    for (const [name, path] of ENDPOINTS) {
      const times: number[] = []
      for (let i = 0; i < WARMUP_RUNS + runs; i++) {
        const ms = await timed(async () => {
          const res = await app.request(path)
          if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
          await res.arrayBuffer()
        })
        if (i >= WARMUP_RUNS) times.push(ms)
      }
      queries.push({ name, path, medianMs: median(times), maxMs: Math.max(...times) })
    }
    const dailyWithoutRollupMs = median(
      await repeat(3, () =>
        timed(() =>
          sql`select to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD') as day, model, count(*),
              sum(input_tokens), sum(output_tokens), sum(cache_creation_input_tokens),
              sum(cache_read_input_tokens), sum(cost_nano_usd)
            from token_usage where timestamp >= ${new Date(now - SPAN_MS).toISOString()}
            group by 1, 2`.execute(db.kysely),
        ),
      ),
    )
    const insertBatchMs = median(await repeat(10, () => insertBatch(db, tag)))
    const usageInsertMs = median(
      await repeat(10, () =>
        timed(() =>
          db.kysely.transaction().execute(async (tx) => {
            const records = batchOf(tag)
            await insertTokenUsage(tx, records)
            await upsertRateLimits(tx, records)
          }),
        ),
      ),
    )

    const targets: Target[] = queries.map((q) => ({
      name: q.name,
      where: `PostgreSQL, ${num(rows, 0)} requests`,
      value: q.medianMs,
      limit: LIMIT_MS,
      kind: 'max',
      unit: 'ms',
    }))
    print(
      table(
        ['usage query (median of ' + runs + ')', 'ms', 'max ms', 'target', ''],
        [
          ...queries.map((q) => [
            q.name,
            num(q.medianMs),
            num(q.maxMs),
            `≤ ${LIMIT_MS}`,
            verdict({ value: q.medianMs, limit: LIMIT_MS, kind: 'max' }),
          ]),
          ['daily, straight from token_usage', num(dailyWithoutRollupMs), '', '', 'for comparison'],
          ['writer batch of 200 records', num(insertBatchMs), '', '', ''],
          ['  of which usage ledger + rollup', num(usageInsertMs), '', '', ''],
        ],
      ),
    )
    print(
      `generated in ${num(generateMs / 1000)} s; rollup built in ${num(rollupMs / 1000)} s: ${num(rollupRows, 0)} hourly rows`,
    )
    return {
      rows,
      rollupRows,
      generateMs,
      rollupMs,
      queries,
      dailyWithoutRollupMs,
      insertBatchMs,
      usageInsertMs,
      targets,
    }
  } finally {
    if (!options.keep) await cleanUp(db, tag)
  }
}

const ENDPOINTS: [string, string][] = [
  ['current 5-hour window, all accounts', '/api/token-usage/current'],
  ['daily, 30 days', '/api/token-usage/daily?days=30'],
  [
    'hourly series, 7 days by model',
    `/api/token-usage/time-series?granularity=hour&groupBy=model&from=${encodeURIComponent(new Date(Date.now() - 7 * 86_400_000).toISOString())}`,
  ],
  ['requests per hour, 24 h', '/api/usage/requests/hourly?hours=24'],
  ['accounts, 30 days', '/api/token-usage/accounts?days=30'],
  ['token stats, 24 h', '/token-stats?hours=24'],
]

// Twenty accounts, each on one of eight domains, four models with Sonnet most used; a
// request every 2.6 s on average. Token counts and cache use vary as in agent traffic;
// 1 % are errors. Costs use the models' list rates (nano-dollars per token).
async function generate(db: Database, tag: string, rows: number, now: number) {
  await sql`insert into token_usage (request_id, timestamp, domain, account_id, model, request_type,
      status_code, is_error, input_tokens, output_tokens, cache_creation_input_tokens,
      cache_creation_5m_tokens, cache_creation_1h_tokens, cache_read_input_tokens,
      web_search_requests, cost_nano_usd)
    select gen_random_uuid(), ts, 'd' || (a % 8) || '.' || ${tag} || '.test', ${tag} || '_acc_' || a,
      (array['claude-sonnet-4-6', 'claude-sonnet-4-6', 'claude-opus-4-7', 'claude-haiku-4-5'])[1 + m],
      'inference', case when err then 529 else 200 end, err, inp, outp, w5 + w1h, w5, w1h, rd, 0,
      (array[3000, 3000, 5000, 1000])[1 + m] * inp + (array[15000, 15000, 25000, 5000])[1 + m] * outp
        + (array[3750, 3750, 6250, 1250])[1 + m] * w5 + (array[6000, 6000, 10000, 2000])[1 + m] * w1h
        + (array[300, 300, 500, 100])[1 + m] * rd
    from (
      select to_timestamp((${now}::bigint - (i::bigint * ${SPAN_MS}) / ${rows}) / 1000.0) as ts,
        (i * 7919) % ${ACCOUNTS} as a, ((i / 3) % 4)::int as m, i % 100 = 0 as err,
        case when i % 100 = 0 then 0 else 1 + (i * 13) % 4000 end as inp,
        case when i % 100 = 0 then 0 else 10 + (i * 17) % 1500 end as outp,
        case when i % 10 = 0 then (i * 7) % 5000 else 0 end as w5,
        case when i % 25 = 0 then 3000 else 0 end as w1h,
        case when i % 100 = 0 then 0 else (i * 101) % 60000 end as rd
      from generate_series(1, ${rows}::bigint) as i
    ) as g`.execute(db.kysely)
}

function insertBatch(db: Database, tag: string): Promise<number> {
  const records = batchOf(tag)
  return timed(() => insertRequestRecords(db, records))
}

function batchOf(tag: string) {
  return Array.from({ length: 200 }, (_, i) =>
    usageRecord({
      domain: `insert.${tag}.test`,
      accountId: `${tag}_acc_${i % ACCOUNTS}`,
      timestamp: new Date().toISOString(),
      inputTokens: 1000,
      outputTokens: 100,
      costUsd: 0.0045,
    }),
  )
}

async function cleanUp(db: Database, tag: string) {
  await sql`delete from token_usage where account_id like ${tag + '%'}`.execute(db.kysely)
  await sql`delete from token_usage_hourly where account_id like ${tag + '%'}`.execute(db.kysely)
  await sql`delete from account_rate_limits where account_id like ${tag + '%'}`.execute(db.kysely)
  await sql`delete from api_requests where domain = ${`insert.${tag}.test`}`.execute(db.kysely)
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

async function repeat(n: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push(await fn())
  return out
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function main() {
  const { values } = parseArgs({
    options: {
      'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      rows: { type: 'string', default: '1000000' },
    },
  })
  const url = values['postgres-url']
  const schema = `bench_usage_${randomBytes(4).toString('hex')}`
  const admin = openPostgres({ url, maxConnections: 1 })
  await admin.exec(`create schema ${schema}`)
  const db = openPostgres({ url, schema })
  try {
    await migrate(db)
    await benchUsageQueries(db, { rows: Number(values.rows) })
  } finally {
    await db.close()
    await admin.exec(`drop schema ${schema} cascade`)
    await admin.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  await main()
