// Dashboard server time on PostgreSQL with 1,000,000 stored requests: the list pages, their
// filters and search, a request's detail, the conversation list and trees, overview and
// usage. Target: each at most 100 ms (SPEC §6 / issue 5). `bench/main.ts` calls
// `benchDashboard(db)` with an empty migrated database; on its own:
//
//   node bin/run-ts.js bench/dashboard.ts [--postgres-url=postgres://…/db] [--rows=1000000]
//
// (standalone, it works in a schema of its own, created and dropped).
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { createCredentialStore } from '../src/credentials/credential-store.ts'
import { createDashboard } from '../src/dashboard/dashboard-app.tsx'
import { createDashboardLive } from '../src/dashboard/live/dashboard-live.ts'
import { openPostgres, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { silentLog } from '../src/log.ts'
import { ensureTokenUsagePartitions } from '../src/usage/token-usage-partitions-store.ts'
import { ROLLUP_COLUMNS, ROLLUP_ON_CONFLICT, rollupSelect } from '../src/usage/token-usage-store.ts'
import { num, table, verdict, type Target } from './report.ts'

export interface DashboardBenchOptions {
  rows?: number
  /** Timed runs per page after two warm-up runs; the median is reported. */
  runs?: number
  print?: (line: string) => void
  /** Skip generating (the database already holds this benchmark's rows: `--keep` runs). */
  reuse?: boolean
}

export interface PageFigure {
  name: string
  path: string
  medianMs: number
  p90Ms: number
  bytes: number
}

export interface DashboardBenchResult {
  rows: number
  generateMs: number
  pages: PageFigure[]
  targets: Target[]
}

const LIMIT_MS = 100
const SPAN_MS = 30 * 24 * 60 * 60 * 1000
const DOMAINS = 20
const CONVERSATION_SIZE = 25
const BIG_CONVERSATION = 2000
const BIG_OFFSET = 5000

/**
 * Generates `rows` requests over the last 30 days (narrow columns, small bodies, linked into
 * conversations of 25 plus one of 2,000, with their usage rollup), then times each dashboard
 * page through the app itself (`app.request`, so query plus rendering, no network).
 */
export async function benchDashboard(
  db: Database,
  options: DashboardBenchOptions = {},
): Promise<DashboardBenchResult> {
  const rows = options.rows ?? 1_000_000
  const runs = options.runs ?? 9
  const print = options.print ?? ((line: string) => console.log(line))
  const now = Date.now()
  if (!options.reuse)
    print(`dashboard: generating ${num(rows, 0)} requests over 30 days on ${db.backend}…`)
  const generateMs = options.reuse ? 0 : await timed(() => generate(db, rows, now, print))
  const dir = await mkdtemp(join(tmpdir(), 'nexus-bench-dashboard-'))
  const key = `nxd_${randomBytes(16).toString('hex')}`
  const dashboard = createDashboard({
    db,
    log: silentLog,
    clock: Date.now,
    dataDir: dir,
    credentialsDir: dir,
    credentialStore: createCredentialStore({ dir }),
    apiKey: key,
    readOnly: false,
    live: createDashboardLive({ db, databaseUrl: undefined, log: silentLog }),
  })
  try {
    const ids = await sampleIds(db, rows)
    const pages: PageFigure[] = []
    for (const [name, path] of pagesToTime(ids)) {
      const times: number[] = []
      let bytes = 0
      for (let i = 0; i < runs + 2; i++) {
        const ms = await timed(async () => {
          const res = await dashboard.app.request(path, {
            headers: { 'x-dashboard-key': key, accept: 'text/html' },
          })
          if (res.status !== 200)
            throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 300)}`)
          bytes = (await res.arrayBuffer()).byteLength
        })
        if (i >= 2) times.push(ms)
      }
      times.sort((a, b) => a - b)
      pages.push({
        name,
        path,
        medianMs: median(times),
        p90Ms: times[Math.floor(times.length * 0.9)] ?? NaN,
        bytes,
      })
    }
    const targets: Target[] = pages.map((p) => ({
      name: `dashboard: ${p.name}`,
      where: `PostgreSQL, ${num(rows, 0)} requests`,
      value: p.medianMs,
      limit: LIMIT_MS,
      kind: 'max',
      unit: 'ms',
    }))
    print(
      table(
        [`dashboard page (server time, median of ${runs})`, 'ms', 'p90 ms', 'KiB', 'target', ''],
        pages.map((p) => [
          p.name,
          num(p.medianMs),
          num(p.p90Ms),
          num(p.bytes / 1024),
          `≤ ${LIMIT_MS}`,
          verdict({ value: p.medianMs, limit: LIMIT_MS, kind: 'max' }),
        ]),
      ),
    )
    print(`generated in ${num(generateMs / 1000)} s`)
    return { rows, generateMs, pages, targets }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

interface SampleIds {
  request: string
  conversation: string
  bigConversation: string
  cursor: string
  depth: number
}

function pagesToTime(ids: SampleIds): Array<[string, string]> {
  return [
    ['overview', '/'],
    ['requests, first page', '/requests'],
    [
      `requests, a page ${num(ids.depth, 0)} rows deep`,
      `/requests?before=${encodeURIComponent(ids.cursor)}`,
    ],
    ['requests, one domain', '/requests?domain=bench-3.example'],
    ['requests, rare model', '/requests?model=claude-opus-4-1-20250805'],
    ['requests, errors only', '/requests?status=error'],
    ['requests, type count_tokens', '/requests?type=count_tokens'],
    [
      'requests, last hour',
      `/requests?from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
    ],
    ['requests, search (rare word)', '/requests?q=zanzibar'],
    ['requests, search (word in 1 % of rows)', '/requests?q=kiwi'],
    ['request detail', `/requests/${ids.request}`],
    ['conversations, first page', '/conversations'],
    ['conversations, one domain', '/conversations?domain=bench-5.example'],
    ['conversation tree (25 requests)', `/conversations/${ids.conversation}`],
    [`conversation tree (~${BIG_CONVERSATION} requests)`, `/conversations/${ids.bigConversation}`],
    ['usage', '/usage'],
  ]
}

async function sampleIds(db: Database, rows: number): Promise<SampleIds> {
  const deep = Math.min(200_000, Math.floor(rows / 5))
  const r = await sql<{
    request_id: string
    conversation_id: string
    timestamp: Date
    seq: number
  }>`
    select request_id, conversation_id, timestamp, seq from api_requests
    where domain like 'bench-%' and conversation_id is not null
    order by timestamp desc, seq desc offset ${deep} limit 1`.execute(db.kysely)
  const row = r.rows[0]
  if (!row) throw new Error('no generated rows')
  const big = await sql<{ conversation_id: string }>`select conversation_id from conversations
    order by request_count desc limit 1`.execute(db.kysely)
  return {
    request: row.request_id,
    conversation: row.conversation_id,
    bigConversation: big.rows[0]?.conversation_id ?? row.conversation_id,
    cursor: `${new Date(row.timestamp).toISOString()}_${row.seq}`,
    depth: deep,
  }
}

const CHUNK = 100_000

// Requests i = 0 … rows-1, oldest first, one every 30 days / rows; the first BIG_CONVERSATION
// requests of the last day form one long conversation, the rest conversations of 25 in one
// domain each (every 10th request a branch, every 12th a sub-agent). Bodies are small; 1 in
// 100 mentions "kiwi", 1 in 100,000 "zanzibar". 2 % errors, 5 % count_tokens.
async function generate(db: Database, rows: number, now: number, print: (line: string) => void) {
  await ensureTokenUsagePartitions(db, new Date(now - SPAN_MS))
  await ensureTokenUsagePartitions(db, new Date(now))
  const step = SPAN_MS / rows
  const bigFrom = Math.max(0, rows - BIG_CONVERSATION - BIG_OFFSET)
  for (let from = 0; from < rows; from += CHUNK) {
    const to = Math.min(rows, from + CHUNK) - 1
    await sql`
      insert into api_requests (request_id, timestamp, domain, account_id, auth_source, method, path,
        model, request_type, is_streaming, status_code, error_type, stream_end, duration_ms,
        first_token_ms, input_tokens, output_tokens, cache_creation_input_tokens,
        cache_read_input_tokens, total_tokens, request_headers, response_headers, body, body_bytes,
        response_body, response_bytes, message_count, tool_call_count, conversation_id, branch_id,
        parent_request_id, is_subtask, parent_task_request_id, cost_usd, link_kind)
      select md5('r' || g)::uuid,
        to_timestamp(round((${sql.lit(now - SPAN_MS)} + g * ${sql.lit(step)})::numeric) / 1000.0),
        'bench-' || (c % ${sql.lit(DOMAINS)}) || '.example', 'acc_' || (c % ${sql.lit(DOMAINS)}), 'credential_file',
        'POST', case when g % 20 = 7 then '/v1/messages/count_tokens' else '/v1/messages' end,
        case when g % 97 = 3 then 'claude-opus-4-1-20250805' when g % 3 = 2 then 'claude-haiku-4-5-20251001'
          else 'claude-sonnet-4-5-20250929' end,
        case when g % 20 = 7 then 'count_tokens' else 'inference' end, true,
        case when g % 50 = 0 then 529 else 200 end,
        case when g % 50 = 0 then 'overloaded_error' end,
        case when g % 50 = 0 then 'upstream_error' else 'done' end,
        400 + g % 5000, 300 + g % 700, 100 + g % 4000, 20 + g % 900, 0, (g % 7) * 5000,
        120 + g % 4000 + 20 + g % 900, '{"user-agent":"claude-cli/2.1.0","x-api-key":"[redacted]"}'::jsonb,
        '{"content-type":"text/event-stream"}'::jsonb,
        jsonb_build_object('model', 'claude-sonnet-4-5-20250929', 'max_tokens', 8192, 'messages',
          jsonb_build_array(jsonb_build_object('role', 'user', 'content',
            'request ' || g || ' about ' || case when g % 100000 = 42 then 'zanzibar' when g % 100 = 5 then 'kiwi' else 'the build' end))),
        300, jsonb_build_object('type', 'message', 'role', 'assistant', 'content',
          jsonb_build_array(jsonb_build_object('type', 'text', 'text', 'answer number ' || g))),
        200, 1 + g % ${sql.lit(CONVERSATION_SIZE)} * 2, g % 3,
        case when g % 20 = 7 then null else md5('c' || c)::uuid end,
        case when g % 20 = 7 then null when g % 12 = 11 then 'subtask_1' when g % 10 = 9 then 'branch_1' else 'main' end,
        case when g % 20 = 7 or g = c * ${sql.lit(CONVERSATION_SIZE)} then null else md5('r' || (g - 1))::uuid end,
        g % 12 = 11, case when g % 12 = 11 then md5('r' || (g - 1))::uuid end,
        ((100 + g % 4000) * 3 + (20 + g % 900) * 15 + (g % 7) * 5000 * 0.3) / 1e6,
        case when g % 20 = 7 then null else 'parent' end
      from (
        select g, case when g >= ${sql.lit(bigFrom)} and g < ${sql.lit(bigFrom + BIG_CONVERSATION)} then ${sql.lit(bigFrom)} / ${sql.lit(CONVERSATION_SIZE)}
                       else g / ${sql.lit(CONVERSATION_SIZE)} end as c
        from generate_series(${sql.lit(from)}::bigint, ${sql.lit(to)}::bigint) g
      ) s`.execute(db.kysely)
    print(`  ${num(to + 1, 0)} requests`)
  }
  // Search documents, as the storage writer makes them for the rows it inserts.
  await sql`insert into request_search (request_id, timestamp, seq, document)
    select request_id, timestamp, seq, to_tsvector('simple'::regconfig,
      coalesce(nexus_search_text(body, response_body, error), ''))
    from api_requests where domain like 'bench-%' on conflict (request_id) do nothing`.execute(
    db.kysely,
  )
  // The big conversation's parents chain across the whole run of requests.
  await sql`update api_requests set parent_request_id = null where request_id = md5('r' || ${sql.lit(bigFrom)})::uuid`.execute(
    db.kysely,
  )
  await sql`insert into token_usage (request_id, timestamp, domain, account_id, model, request_type,
      status_code, is_error, input_tokens, output_tokens, cache_creation_input_tokens,
      cache_creation_5m_tokens, cache_creation_1h_tokens, cache_read_input_tokens, web_search_requests, cost_nano_usd)
    select request_id, timestamp, domain, account_id, model, request_type, status_code, status_code >= 400,
      input_tokens, output_tokens, 0, 0, 0, cache_read_input_tokens, 0, round(cost_usd * 1e9)::bigint
    from api_requests where domain like 'bench-%'`.execute(db.kysely)
  await sql`insert into token_usage_hourly (${sql.raw(ROLLUP_COLUMNS)})
    ${sql.raw(rollupSelect(`(select * from token_usage where domain like 'bench-%') as generated`))}
    ${sql.raw(ROLLUP_ON_CONFLICT)}`.execute(db.kysely)
  await sql`insert into conversations (conversation_id, domain, account_id, started_at, last_at,
      request_count, message_count, total_tokens, models, branch_count, compact_count, spawn_count, subtask_count)
    select conversation_id, min(domain), min(account_id), min(timestamp), max(timestamp), count(*)::int,
      max(message_count), sum(total_tokens), array_agg(distinct model), count(distinct branch_id)::int - 1, 0,
      count(*) filter (where is_subtask)::int, count(distinct branch_id) filter (where is_subtask)::int
    from api_requests where domain like 'bench-%' and conversation_id is not null
    group by conversation_id on conflict (conversation_id) do nothing`.execute(db.kysely)
  // Generated rows are linked already: the linker must not start on them.
  await sql`update conversation_link_state set linked_through = (select max(seq) from api_requests)`.execute(
    db.kysely,
  )
  for (const t of ['api_requests', 'token_usage', 'token_usage_hourly', 'conversations']) {
    await sql`analyze ${sql.table(t)}`.execute(db.kysely)
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

function median(sorted: number[]): number {
  const s = [...sorted].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      'postgres-url': { type: 'string' },
      rows: { type: 'string' },
      runs: { type: 'string' },
      // Keep the generated schema (and reuse it when run again with the same name).
      keep: { type: 'string' },
    },
  })
  const url =
    values['postgres-url'] ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/nexus_test'
  const schema = values.keep ?? `bench_dashboard_${randomBytes(4).toString('hex')}`
  const admin = openPostgres({ url, maxConnections: 1 })
  const existing = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
    where table_schema = ${schema} and table_name = 'api_requests'`.execute(admin.kysely)
  const reuse = (existing.rows[0]?.n ?? 0) > 0
  if (!reuse) await admin.exec(`create schema if not exists ${schema}`)
  const db = openPostgres({ url, schema })
  try {
    await migrate(db)
    await benchDashboard(db, {
      ...(values.rows ? { rows: Number(values.rows) } : {}),
      ...(values.runs ? { runs: Number(values.runs) } : {}),
      reuse,
    })
  } finally {
    await db.close()
    if (!values.keep) await admin.exec(`drop schema ${schema} cascade`)
    await admin.close()
  }
}
