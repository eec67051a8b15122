// Conversation linking on PostgreSQL with 1,000,000 generated requests: what linking costs per
// newly arriving request (target: at most 1 ms) and how fast `nexus conversations rebuild`
// relinks stored history. `bench/main.ts --big` calls `benchLinking(db)`; on its own:
//
//   node bin/run-ts.js bench/conversations.ts [--postgres-url=postgres://…/db] [--rows=1000000]
//
// It works in a schema of its own (created and dropped) on that database.
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import type { MessageParam } from '../src/anthropic-types.ts'
import { linkPending } from '../src/conversations/conversation-linker.ts'
import { createConversationStore } from '../src/conversations/conversation-store.ts'
import { fixtures } from '../src/conversations/fixtures/index.ts'
import { linkFactsOf } from '../src/conversations/link-facts.ts'
import { rebuildConversations } from '../src/conversations/rebuild-conversations.ts'
import { openPostgres, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { num, table, verdict, type Target } from './report.ts'

export interface LinkingBenchOptions {
  /** Stored requests to generate (about; the mix below adds a few percent). */
  rows?: number
  /** Newly arriving requests to time, one linking pass each. */
  arrivals?: number
  /** Arriving requests carrying a real body, whose hashes the linker derives itself. */
  bodyArrivals?: number
  print?: (line: string) => void
}

export interface LinkingBenchResult {
  rows: number
  conversations: number
  generateMs: number
  rebuild: { ms: number; rowsPerSecond: number }
  /** Per arriving request with its facts stored (the linking itself). */
  arrival: Percentiles
  /** Per request when ARRIVAL_BATCH requests are stored before each pass (under load). */
  batched: Percentiles
  /** Per arriving Claude Code request whose hashes are derived from its stored body. */
  arrivalWithBody: Percentiles & { bodyKb: number }
  /** The pure derivation (parse excluded) for the largest of those bodies. */
  deriveMs: number
  targets: Target[]
}

interface Percentiles {
  p50Ms: number
  p99Ms: number
  meanMs: number
}

const LIMIT_MS = 1
const ARRIVAL_BATCH = 50
const DOMAINS = 8

/**
 * Generates `rows` stored requests in ~rows/20 interleaved conversations (with retries,
 * branches, count_tokens calls and sub-agents), times a full rebuild, then times linking for
 * requests arriving one at a time, and deletes what it generated. Expects a migrated
 * PostgreSQL database.
 */
export async function benchLinking(
  db: Database,
  options: LinkingBenchOptions = {},
): Promise<LinkingBenchResult> {
  const rows = options.rows ?? 1_000_000
  const conversations = Math.max(10, Math.round(rows / 20))
  const print = options.print ?? ((line: string) => console.log(line))
  const tag = `bl${randomBytes(3).toString('hex')}`
  const store = createConversationStore(db)
  print(
    `conversation linking: generating ~${num(rows, 0)} requests in ${num(conversations, 0)} conversations on ${db.backend}…`,
  )
  try {
    const generateMs = await timed(() => generate(db, tag, conversations))
    await sql`analyze api_requests`.execute(db.kysely)
    const stored = await countRows(db, tag)
    print(`  generated ${num(stored, 0)} requests in ${num(generateMs / 1000, 1)} s; rebuilding…`)

    let lastShown = 0
    const rebuildMs = await timed(() =>
      rebuildConversations(store, {
        onProgress: (done, total) => {
          if (done - lastShown < total / 10 && done < total) return
          lastShown = done
          print(`  rebuild ${num((100 * done) / Math.max(total, 1), 0)}%`)
        },
      }),
    )
    await sql`analyze api_requests`.execute(db.kysely)
    await sql`analyze conversations`.execute(db.kysely)

    const taken = new Set<number>()
    // Half the conversations for each kind of arrival at the most (small --rows runs).
    const arrivals = Math.min(options.arrivals ?? 2000, Math.floor(conversations / 2))
    const arrival = await timeArrivals(db, tag, conversations, arrivals, 1, taken)
    const batched = await timeArrivals(db, tag, conversations, arrivals, ARRIVAL_BATCH, taken)
    const withBody = await timeBodyArrivals(db, tag, options.bodyArrivals ?? 100)

    const rowsPerSecond = (stored / rebuildMs) * 1000
    const where = `PostgreSQL, ${num(stored, 0)} rows`
    const targets: Target[] = [
      {
        name: 'linking per request, one pass each, p50',
        where,
        value: arrival.p50Ms,
        limit: LIMIT_MS,
        kind: 'max',
        unit: 'ms',
      },
      {
        name: `linking per request, ${ARRIVAL_BATCH} per pass, p50`,
        where,
        value: batched.p50Ms,
        limit: LIMIT_MS,
        kind: 'max',
        unit: 'ms',
      },
    ]
    const result: LinkingBenchResult = {
      rows: stored,
      conversations,
      generateMs,
      rebuild: { ms: rebuildMs, rowsPerSecond },
      arrival,
      batched,
      arrivalWithBody: withBody.figures,
      deriveMs: withBody.deriveMs,
      targets,
    }
    print('')
    print(
      table(
        ['conversation linking (PostgreSQL)', 'p50 ms', 'p99 ms', 'mean ms'],
        [
          [
            'arriving request, facts stored, one pass each',
            num(arrival.p50Ms, 3),
            num(arrival.p99Ms, 3),
            num(arrival.meanMs, 3),
          ],
          [
            `per request, ${ARRIVAL_BATCH} arriving per pass`,
            num(batched.p50Ms, 3),
            num(batched.p99Ms, 3),
            num(batched.meanMs, 3),
          ],
          [
            `arriving request, hashes from its body (up to ${num(withBody.figures.bodyKb, 0)} KB)`,
            num(withBody.figures.p50Ms, 3),
            num(withBody.figures.p99Ms, 3),
            num(withBody.figures.meanMs, 3),
          ],
        ],
      ),
    )
    print('')
    print(
      `rebuild: ${num(stored, 0)} requests in ${num(rebuildMs / 1000, 1)} s = ${num(rowsPerSecond, 0)} requests/s`,
    )
    print(
      `deriving the facts of the largest body (${num(withBody.figures.bodyKb, 0)} KB), parse excluded: ${num(withBody.deriveMs, 2)} ms`,
    )
    for (const t of targets)
      print(`target: ${t.name} ≤ ${t.limit} ${t.unit}: ${num(t.value, 3)} ${t.unit} ${verdict(t)}`)
    return result
  } finally {
    await cleanUp(db, tag)
  }
}

// Conversation c lives in domain c % 8, has 5..29 turns, starts somewhere in 30 days and
// takes a turn every 1..60 s; rows are inserted in arrival order, so seq interleaves them.
// Around the main turns: a retry of every 50th turn, an edited (branching) turn every 100th,
// a count_tokens call every 10th, and in every 10th conversation a 4-request sub-agent
// spawned by turn 3. Hashes are md5s of (conversation, turn): unique like real ones.
export async function __generate(db: Database, tag: string, conversations: number) {
  return generate(db, tag, conversations)
}
async function generate(db: Database, tag: string, conversations: number) {
  await sql`
    with conv as (
      select c, 5 + (c % 25) as len, c % ${DOMAINS} as d,
        ((hashtext(${tag} || 's' || c) & 2147483647) % 2592000)::float8 as start_s,
        (1 + (hashtext(${tag} || 'g' || c) & 2147483647) % 60)::float8 as gap_s
      from generate_series(0, ${conversations - 1}) c),
    turns as (
      select c, i, d, start_s + i * gap_s as at_s from conv, generate_series(0, len - 1) i),
    rows as (
      select c, d, at_s, 'inference' as kind, md5(${tag} || ':' || c || ':' || i) as h,
        case when i > 0 then md5(${tag} || ':' || c || ':' || (i - 1)) end as ph,
        case when i > 1 then md5(${tag} || ':' || c || ':' || (i - 2)) end as gph,
        null::text as prompt_hash, null::text as agent, (c % 10 = 0 and i = 3) as spawns, 2 * i + 1 as messages
      from turns
      union all
      select c, d, at_s + 0.3, 'inference', md5(${tag} || ':' || c || ':' || i),
        case when i > 0 then md5(${tag} || ':' || c || ':' || (i - 1)) end,
        case when i > 1 then md5(${tag} || ':' || c || ':' || (i - 2)) end, null, null, false, 2 * i + 1
      from turns where (c * 7 + i) % 50 = 0
      union all
      select c, d, at_s + 0.6, 'inference', md5(${tag} || ':' || c || ':' || i || ':edit'),
        md5(${tag} || ':' || c || ':' || (i - 1)), md5(${tag} || ':' || c || ':' || (i - 2)), null, null, false, 2 * i + 1
      from turns where (c * 13 + i) % 100 = 0 and i >= 2
      union all
      select c, d, at_s + 0.1, 'count_tokens', null, null, null, null, null, false, 2 * i + 1
      from turns where (c * 3 + i) % 10 = 0
      union all
      select c, d, at_s + 0.2 + 0.1 * j, 'inference', md5(${tag} || ':sub:' || c || ':' || j),
        case when j > 0 then md5(${tag} || ':sub:' || c || ':' || (j - 1)) end,
        case when j > 1 then md5(${tag} || ':sub:' || c || ':' || (j - 2)) end,
        case when j = 0 then encode(sha256(convert_to('bench prompt ' || c, 'UTF8')), 'hex') end,
        'agent-' || c, false, 2 * j + 1
      from turns, generate_series(0, 3) j where c % 10 = 0 and i = 3)
    insert into api_requests (request_id, timestamp, domain, method, path, request_type, is_streaming,
      status_code, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,
      total_tokens, message_count, tool_call_count, model, session_id, agent_id, response_body,
      link_facts_version, current_message_hash, parent_message_hash, grandparent_message_hash,
      system_hash, subagent_prompt_hash)
    select gen_random_uuid(),
      timestamptz '2026-01-01T00:00:00Z' + date_trunc('milliseconds', at_s * interval '1 second'),
      ${tag} || '-' || d || '.test',
      'POST', case when kind = 'count_tokens' then '/v1/messages/count_tokens' else '/v1/messages' end,
      kind, kind = 'inference', 200, 3, 120, 200, 40000, 123, messages,
      case when spawns then 1 else 0 end, 'claude-sonnet-4-5', md5(${tag} || 'session' || c)::uuid::text, agent,
      case when spawns then jsonb_build_object('content', jsonb_build_array(jsonb_build_object(
        'type', 'tool_use', 'id', 'toolu_' || c, 'name', 'Agent',
        'input', jsonb_build_object('prompt', 'bench prompt ' || c)))) end,
      case when kind = 'inference' then 1 end, h, ph, gph,
      case when agent is null then md5(${tag} || 'system' || d) else md5(${tag} || 'agent system') end,
      prompt_hash
    from rows order by at_s, c`.execute(db.kysely)
}

// Each arriving request continues a random generated conversation by one turn, is stored,
// and is linked by one linking pass, as the loop does after the writer stores it. With
// `batch` > 1 that many arrive (are stored) before each pass, as under load, where the
// writer stores up to STORAGE_BATCH_SIZE records at once; the figures are per request.
async function timeArrivals(
  db: Database,
  tag: string,
  conversations: number,
  count: number,
  batch: number,
  taken: Set<number>,
): Promise<Percentiles> {
  const store = createConversationStore(db)
  const times: number[] = []
  // Each arrival continues a conversation of its own, so there can be no more of them.
  const passes = Math.floor(Math.min(count, conversations - taken.size) / batch)
  for (let n = 0; n < passes; n++) {
    for (let i = 0; i < batch; i++)
      await storeArrival(db, tag, pickConversation(conversations, taken))
    const t0 = performance.now()
    const { linked } = await linkPending(store)
    times.push((performance.now() - t0) / batch)
    if (linked !== batch) throw new Error(`expected to link ${batch} requests, linked ${linked}`)
  }
  const check = await sql<{ n: number }>`select count(*)::int as n from api_requests
    where domain like ${tag + '-%'} and model = 'bench-arrival' and link_kind = 'parent'`.execute(
    db.kysely,
  )
  if (check.rows[0]?.n !== taken.size)
    throw new Error(
      `arrivals did not link to their conversations: ${check.rows[0]?.n}/${taken.size}`,
    )
  return percentiles(times)
}

function pickConversation(conversations: number, taken: Set<number>): number {
  let c = Math.floor(Math.random() * conversations)
  while (taken.has(c)) c = (c + 1) % conversations
  taken.add(c)
  return c
}

async function storeArrival(db: Database, tag: string, c: number) {
  const len = 5 + (c % 25)
  await sql`insert into api_requests (request_id, timestamp, domain, method, path, request_type,
      is_streaming, status_code, total_tokens, message_count, model, session_id, link_facts_version,
      current_message_hash, parent_message_hash, grandparent_message_hash, system_hash)
    values (gen_random_uuid(), now(), ${`${tag}-${c % DOMAINS}.test`}, 'POST', '/v1/messages',
      'inference', true, 200, 123, ${2 * len + 1}, 'bench-arrival',
      md5(${tag} || 'session' || ${c})::uuid::text, 1, md5(${`${tag}:${c}:${len}`}),
      md5(${`${tag}:${c}:${len - 1}`}), md5(${`${tag}:${c}:${len - 2}`}), md5(${tag} || 'system' || ${c % DOMAINS}))`.execute(
    db.kysely,
  )
}

// A Claude Code conversation growing turn by turn (tool calls with file contents), each
// request stored with its body only, so the linker derives its hashes as it does live.
async function timeBodyArrivals(db: Database, tag: string, count: number) {
  const store = createConversationStore(db)
  const domain = `${tag}-body.test`
  const messages: MessageParam[] = [fixtures.mainTurn1().messages[0]!]
  const times: number[] = []
  let body = fixtures.mainTurn2()
  for (let n = 0; n < count; n++) {
    body = { ...fixtures.mainTurn2(), messages: [...messages] }
    await sql`insert into api_requests (request_id, timestamp, domain, method, path, request_type,
        is_streaming, status_code, total_tokens, message_count, model, body)
      values (gen_random_uuid(), now(), ${domain}, 'POST', '/v1/messages', 'inference', true, 200, 0,
        ${messages.length}, 'claude-opus-4-6', ${JSON.stringify(body)}::jsonb)`.execute(db.kysely)
    const t0 = performance.now()
    await linkPending(store)
    times.push(performance.now() - t0)
    const id = `toolu_${n}`
    messages.push(
      {
        role: 'assistant',
        content: [
          { type: 'text', text: `Reading file ${n}.` },
          { type: 'tool_use', id, name: 'Read', input: { file_path: `src/file-${n}.ts` } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: id,
            content: `export const value${n} = ${n}\n`.repeat(40),
          },
        ],
      },
    )
  }
  const linked = await sql<{ n: number }>`select count(*)::int as n from api_requests
    where domain = ${domain} and link_kind = 'parent'`.execute(db.kysely)
  if (linked.rows[0]?.n !== count - 1)
    throw new Error(`body arrivals did not chain: ${linked.rows[0]?.n}/${count - 1}`)
  const deriveMs = await timed(async () => {
    for (let i = 0; i < 10; i++) linkFactsOf(body)
  })
  const bodyKb = Buffer.byteLength(JSON.stringify(body)) / 1024
  return { figures: { ...percentiles(times), bodyKb }, deriveMs: deriveMs / 10 }
}

async function countRows(db: Database, tag: string): Promise<number> {
  const r = await sql<{
    n: number
  }>`select count(*)::bigint as n from api_requests where domain like ${tag + '-%'}`.execute(
    db.kysely,
  )
  return r.rows[0]?.n ?? 0
}

async function cleanUp(db: Database, tag: string) {
  await sql`delete from conversation_spawns where domain like ${tag + '-%'}`.execute(db.kysely)
  await sql`delete from conversations where domain like ${tag + '-%'}`.execute(db.kysely)
  await sql`delete from api_requests where domain like ${tag + '-%'}`.execute(db.kysely)
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return {
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    meanMs: values.reduce((a, b) => a + b, 0) / values.length,
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

async function main() {
  const { values } = parseArgs({
    options: {
      'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      rows: { type: 'string', default: '1000000' },
      arrivals: { type: 'string', default: '2000' },
    },
  })
  const url = values['postgres-url']
  const schema = `bench_linking_${randomBytes(4).toString('hex')}`
  const admin = openPostgres({ url, maxConnections: 1 })
  await admin.exec(`create schema ${schema}`)
  const db = openPostgres({ url, schema })
  try {
    await migrate(db)
    await benchLinking(db, { rows: Number(values.rows), arrivals: Number(values.arrivals) })
  } finally {
    await db.close()
    await admin.exec(`drop schema ${schema} cascade`)
    await admin.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  await main()
