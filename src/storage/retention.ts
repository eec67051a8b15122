import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { GC_GRACE } from './content-store.ts'

export interface PruneReport {
  requests: number
  chunks: number
  spawns: number
  blobs: number
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
  const report: PruneReport = { requests: 0, chunks: 0, spawns: 0, blobs: 0 }
  for (;;) {
    const batch = await pruneBatch(db, before, batchSize)
    report.requests += batch.requests
    report.chunks += batch.chunks
    report.spawns += batch.spawns
    if (batch.requests < batchSize) break
  }
  report.blobs = await collectBlobs(db)
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
 * Deletes blobs no request references and untouched for GC_GRACE. Safe against a request
 * being inserted meanwhile: its insert locks (and, after TOUCH_INTERVAL, touches) each blob it
 * references (content-store.ts); this delete then waits for that transaction and re-checks
 * `touched_at` on the row's new version, or the insert waits for this delete and stores the
 * blob anew. A blob touched within the grace is never a candidate.
 */
export async function collectBlobs(db: Database): Promise<number> {
  const result = await sql`
    delete from content_blobs b using (
      select hash from content_blobs where touched_at < now() - ${GC_GRACE}::interval
      except select unnest(body_refs) from api_requests where body_refs is not null) dead
    where b.hash = dead.hash and b.touched_at < now() - ${GC_GRACE}::interval`.execute(db.kysely)
  return Number(result.numAffectedRows ?? 0)
}

/** `30d`, `12h`, `90m` to milliseconds; undefined when it is none of these. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d+)([dhm])$/.exec(text.trim())
  if (!match) return undefined
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm']
  return Number(match[1]) * unit
}
