import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import type { Tables } from '../db/schema.ts'
import { ROLLUP_COLUMNS, ROLLUP_ON_CONFLICT, rollupSelect } from '../usage/token-usage-store.ts'

/** Requests per round trip: bodies can be large, so batches stay small. */
const BATCH = 100

export interface CopyReport {
  conversationId: string
  /** Requests of the conversation in the source. */
  requests: number
  /** Of those, how many the target did not have yet (0 on a second run). */
  copiedRequests: number
  copiedChunks: number
  copiedUsage: number
}

/**
 * Copies one conversation (every request with its conversation id, sub-agents included, with
 * their streamed chunks and usage rows) into another database, idempotently: rows the target
 * already has are skipped, and usage reaches its hourly rollup only when inserted. The target
 * gets new arrival numbers (seq) and links the requests itself, with the same rules, on its
 * next linker pass: links are derived data and arrival order is per database.
 */
export async function copyConversation(
  source: Database,
  target: Database,
  conversationId: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<CopyReport> {
  const total = await countRequests(source, conversationId)
  const report: CopyReport = {
    conversationId,
    requests: total,
    copiedRequests: 0,
    copiedChunks: 0,
    copiedUsage: 0,
  }
  if (total === 0) return report
  const columns = await insertableColumns(target, 'api_requests')
  let after = 0
  let done = 0
  await target.kysely.transaction().execute(async (tx) => {
    for (;;) {
      const batch = await readBatch(source, conversationId, after)
      const last = batch.requests.at(-1)
      if (!last) break
      report.copiedRequests += await insertRequests(tx, columns, batch.requests)
      report.copiedChunks += await insertRows(tx, 'streaming_chunks', batch.chunks)
      report.copiedUsage += await insertUsage(tx, batch.usage)
      after = Number(last['seq'])
      done += batch.requests.length
      onProgress(done, total)
    }
  })
  return report
}

async function countRequests(db: Database, conversationId: string): Promise<number> {
  const rows = await sql<{ n: number }>`
    select count(*)::int as n from api_requests where conversation_id = ${conversationId}`.execute(
    db.kysely,
  )
  return rows.rows[0]?.n ?? 0
}

type Row = Record<string, unknown>

async function readBatch(db: Database, conversationId: string, after: number) {
  const requests = (
    await sql<{ row: Row }>`
      -- Bodies travel whole: the target has none of this database's content blobs (its own
      -- conversion job makes them compact again).
      select to_jsonb(r) || jsonb_build_object(
        'body', nexus_request_body(r.body, r.body_segments, r.body_refs, r.body_list, r.body_tail),
        'body_segments', null, 'body_refs', null, 'body_list', null, 'body_tail', null) as row
      from api_requests r
      where r.conversation_id = ${conversationId} and r.seq > ${after}
      order by r.seq limit ${BATCH}`.execute(db.kysely)
  ).rows.map((r) => r.row)
  const ids = requests.map((r) => String(r['request_id']))
  if (ids.length === 0) return { requests, chunks: [], usage: [] }
  const related = async (table: string) =>
    (
      await sql<{ row: Row }>`
        select to_jsonb(t) as row from ${sql.table(table)} t
        where t.request_id = any (${`{${ids.join(',')}}`}::uuid[])`.execute(db.kysely)
    ).rows.map((r) => r.row)
  return {
    requests,
    chunks: await related('streaming_chunks'),
    usage: await related('token_usage'),
  }
}

/** The target's own columns (its schema may be newer), minus identity and generated ones. */
async function insertableColumns(db: Database, table: string): Promise<string[]> {
  const rows = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}
      and is_identity = 'NO' and is_generated = 'NEVER'
    order by ordinal_position`.execute(db.kysely)
  return rows.rows.map((r) => r.column_name)
}

// Link columns start empty: the target's linker derives them, as it does for its own rows.
const LINK_COLUMNS = new Set([
  'conversation_id',
  'branch_id',
  'link_kind',
  'parent_request_id',
  'parent_task_request_id',
])

async function insertRequests(tx: Kysely<Tables>, columns: string[], rows: Row[]) {
  const kept = columns.filter((c) => !LINK_COLUMNS.has(c) && c !== 'is_subtask')
  const list = sql.join(kept.map((c) => sql.ref(c)))
  const values = sql.join(kept.map((c) => sql.ref(`p.${c}`)))
  // Inserted in source arrival order, so the target numbers them in the same order.
  const result = await sql`
    insert into api_requests (${list})
    select ${values} from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) with ordinality as e(row, n)
      cross join lateral jsonb_populate_record(null::api_requests, e.row) as p
    order by e.n
    on conflict (request_id) do nothing`.execute(tx)
  return Number(result.numAffectedRows ?? 0)
}

async function insertRows(tx: Kysely<Tables>, table: string, rows: Row[]): Promise<number> {
  if (rows.length === 0) return 0
  const result = await sql`
    insert into ${sql.table(table)}
    select p.* from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb) as p
    on conflict do nothing`.execute(tx)
  return Number(result.numAffectedRows ?? 0)
}

// Only usage rows actually inserted reach the hourly rollup, as in the live writer.
async function insertUsage(tx: Kysely<Tables>, rows: Row[]): Promise<number> {
  if (rows.length === 0) return 0
  const result = await sql<{ n: number }>`
    with inserted as (
      insert into token_usage
      select p.* from jsonb_populate_recordset(null::token_usage, ${JSON.stringify(rows)}::jsonb) as p
      on conflict do nothing returning *),
    rolled as (
      insert into token_usage_hourly (${sql.raw(ROLLUP_COLUMNS)})
      ${sql.raw(rollupSelect('inserted'))}
      ${sql.raw(ROLLUP_ON_CONFLICT)} returning 1)
    select count(*)::int as n from inserted`.execute(tx)
  return result.rows[0]?.n ?? 0
}
