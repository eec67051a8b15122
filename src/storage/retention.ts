import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { GC_GRACE } from './content-store.ts'

export interface PruneReport {
  requests: number
  chunks: number
  spawns: number
  blobs: number
  /** List nodes (migration 160) collected with the blobs. */
  nodes: number
}

/**
 * Deletes requests older than `before` with their stream chunks and conversation spawns (their
 * search documents go by trigger), in batches of one transaction each, then the blobs no
 * request references. Usage rows (token_usage and its rollups) are accounting and stay.
 */
export async function pruneRequests(
  db: Database,
  before: Date,
  batchSize = 1000,
): Promise<PruneReport> {
  const report: PruneReport = { requests: 0, chunks: 0, spawns: 0, blobs: 0, nodes: 0 }
  for (;;) {
    const batch = await pruneBatch(db, before, batchSize)
    report.requests += batch.requests
    report.chunks += batch.chunks
    report.spawns += batch.spawns
    if (batch.requests < batchSize) break
  }
  Object.assign(report, await collectBlobs(db))
  return report
}

async function pruneBatch(db: Database, before: Date, limit: number) {
  const rows = await sql<{ requests: number; chunks: number; spawns: number }>`
    with gone as (
      delete from api_requests where request_id in (
        select request_id from api_requests where timestamp < ${before} order by timestamp limit ${limit})
      returning request_id),
    chunks as (delete from streaming_chunks where request_id in (select request_id from gone) returning 1),
    spawns as (delete from conversation_spawns where request_id in (select request_id from gone) returning 1)
    select (select count(*)::int from gone) as requests, (select count(*)::int from chunks) as chunks,
      (select count(*)::int from spawns) as spawns`.execute(db.kysely)
  return rows.rows[0] ?? { requests: 0, chunks: 0, spawns: 0 }
}

/**
 * Deletes the list nodes no request reaches and the blobs no node or request references, of
 * those untouched for GC_GRACE. Safe against a request being inserted meanwhile: its insert
 * locks (and, after TOUCH_INTERVAL, touches) each node and blob it sends (content-store.ts);
 * a delete then waits for that transaction and re-checks `touched_at` on the row's new
 * version, or the insert waits for the delete and stores the row anew. A row the insert does
 * not send was sent by this process recently enough that it is touched within the grace
 * (known-hashes.ts), and a row touched within the grace is never a candidate.
 */
export async function collectBlobs(db: Database): Promise<{ blobs: number; nodes: number }> {
  const nodes = await sql`
    with recursive live(hash, parent) as (
      select l.hash, l.parent from content_lists l
        where l.hash in (select body_list from api_requests where body_list is not null)
      union
      select l.hash, l.parent from live v join content_lists l on l.hash = v.parent)
    delete from content_lists n using (
      select hash from content_lists where touched_at < now() - ${GC_GRACE}::interval
      except select hash from live) dead
    where n.hash = dead.hash and n.touched_at < now() - ${GC_GRACE}::interval`.execute(db.kysely)
  const blobs = await sql`
    delete from content_blobs b using (
      select hash from content_blobs where touched_at < now() - ${GC_GRACE}::interval
      except select unnest(body_refs) from api_requests where body_refs is not null
      except select item from content_lists) dead
    where b.hash = dead.hash and b.touched_at < now() - ${GC_GRACE}::interval`.execute(db.kysely)
  return { blobs: Number(blobs.numAffectedRows ?? 0), nodes: Number(nodes.numAffectedRows ?? 0) }
}

/** `30d`, `12h`, `90m` to milliseconds; undefined when it is none of these. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d+)([dhm])$/.exec(text.trim())
  if (!match) return undefined
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm']
  return Number(match[1]) * unit
}
