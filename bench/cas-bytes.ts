// Bytes on disk and CPU per continuing turn for a 100-turn Claude-Code-shaped session, with
// request bodies stored whole (before migration 090) and content-addressed (after), on both
// backends. Alone:
//
//   node bin/run-ts.js bench/cas-bytes.ts [--turns=100] [--backend=pglite,postgres]
//
// PostgreSQL comes from TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/nexus_test);
// each run uses a schema of its own and drops it.
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { openPglite, openPostgres, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { contentMemory } from '../src/storage/request-store.ts'
import { insertContent, storedBodyOf } from '../src/storage/content-store.ts'
import { markLastForCache, prose } from './workload.ts'

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '100' },
    backend: { type: 'string', default: 'pglite,postgres' },
  },
})
const TURNS = Number(values.turns)

/** The bodies of one session: a fixed system prompt and tools, two messages more each turn, and
 *  the cache marker on the last message, moved forward every turn as Claude Code does. */
function sessionBodies(turns: number): string[] {
  const system = [{ type: 'text', text: prose(12_000, 1), cache_control: { type: 'ephemeral' } }]
  const tools = Array.from({ length: 20 }, (_, i) => ({
    name: `Tool${i}`,
    description: prose(900, 100 + i),
    input_schema: {
      type: 'object',
      properties: { arg: { type: 'string', description: prose(80, i) } },
    },
  }))
  const messages: Array<Record<string, unknown>> = []
  const bodies: string[] = []
  for (let t = 0; t < turns; t++) {
    if (t > 0)
      messages.push({
        role: 'assistant',
        content: [{ type: 'text', text: prose(1_000, 5_000 + t) }],
      })
    messages.push({ role: 'user', content: [{ type: 'text', text: prose(1_500, 9_000 + t) }] })
    const marked = markLastForCache(messages)
    bodies.push(
      JSON.stringify({
        model: 'claude-opus-4-6',
        max_tokens: 32000,
        stream: true,
        system,
        tools,
        messages: marked,
        metadata: { user_id: 'u' },
      }),
    )
  }
  return bodies
}

async function open(backend: string): Promise<{ db: Database; close: () => Promise<void> }> {
  if (backend === 'pglite') {
    const db = openPglite(undefined)
    await migrate(db)
    return { db, close: () => db.close() }
  }
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nexus_test'
  const schema = `cas_${randomBytes(4).toString('hex')}`
  const admin = openPostgres({ url, maxConnections: 1 })
  await admin.exec(`create schema ${schema}`)
  const db = openPostgres({ url, schema })
  await migrate(db)
  return {
    db,
    close: async () => {
      await db.close()
      await admin.exec(`drop schema ${schema} cascade`)
      await admin.close()
    },
  }
}

async function measure(backend: string) {
  const { db, close } = await open(backend)
  try {
    const bodies = sessionBodies(TURNS)
    const k = db.kysely
    // Same column settings as api_requests: jsonb body (lz4 where available); envelope + refs.
    await sql`create table bench_whole (id int primary key, body jsonb)`.execute(k)
    await sql
      .raw(
        `do $$ begin alter table bench_whole alter column body set compression lz4;
      exception when feature_not_supported then null; end $$`,
      )
      .execute(k)
    await sql`create table bench_cas (id int primary key, body_list bytea, body_tail text)`.execute(
      k,
    )
    // What the writer's store keeps between turns (request-store.ts).
    const memory = contentMemory()
    let wholeMs = 0
    let casMs = 0
    let splitMs = 0
    for (const [i, body] of bodies.entries()) {
      let t = performance.now()
      await sql`insert into bench_whole values (${i}, ${body}::jsonb)`.execute(k)
      wholeMs += performance.now() - t
      t = performance.now()
      const stored = storedBodyOf(body, memory.prefixes)
      splitMs += performance.now() - t
      await k.transaction().execute(async (tx) => {
        const startedAt = memory.known.now()
        memory.known.add(await insertContent(tx, [stored], memory.known), startedAt)
        await sql`insert into bench_cas values (${i}, decode(${stored.body_list}, 'hex'), ${stored.body_tail})`.execute(
          tx,
        )
      })
      casMs += performance.now() - t
    }
    await sql`vacuum analyze`.execute(k).catch(() => undefined)
    const size = async (q: string) =>
      Number((await sql<{ n: string }>`${sql.raw(q)}`.execute(k)).rows[0]?.n ?? 0)
    const sent = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0)
    const unique = await size(`select (select sum(octet_length(content)) from content_blobs)
      + (select sum(octet_length(sep)) from content_lists)
      + (select sum(octet_length(body_tail)) from bench_cas) as n`)
    return {
      backend,
      turns: TURNS,
      sentKb: sent / 1024,
      uniqueKb: unique / 1024,
      wholeColumnKb: (await size('select sum(pg_column_size(body)) as n from bench_whole')) / 1024,
      wholeTableKb: (await size(`select pg_total_relation_size('bench_whole') as n`)) / 1024,
      casColumnsKb:
        (await size(`select (select sum(pg_column_size(content)) from content_blobs)
          + (select sum(pg_column_size(sep) + 100) from content_lists)
          + (select sum(pg_column_size(body_list) + pg_column_size(body_tail)) from bench_cas) as n`)) /
        1024,
      casTablesKb:
        (await size(
          `select pg_total_relation_size('content_blobs') + pg_total_relation_size('content_lists')
            + pg_total_relation_size('bench_cas') as n`,
        )) / 1024,
      refsKb:
        (await size(`select pg_total_relation_size('content_lists')
        + (select sum(pg_column_size(body_list)) from bench_cas) as n`)) / 1024,
      msPerTurnWhole: wholeMs / TURNS,
      msPerTurnCas: casMs / TURNS,
      msPerTurnSplitAndHash: splitMs / TURNS,
    }
  } finally {
    await close()
  }
}

for (const backend of (values.backend ?? '').split(',')) {
  const r = await measure(backend.trim())
  console.log(
    Object.entries(r)
      .map(
        ([key, v]) => `${key}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : v}`,
      )
      .join(' '),
  )
}
