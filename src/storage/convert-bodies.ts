import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import type { Log } from '../log.ts'
import { bodyTextExpr, insertContent, storedBodyOf, type StoredBody } from './content-store.ts'

export interface ConversionProgress {
  /** Rows looked at and rows rewritten to the content-addressed format, this run. */
  scanned: number
  converted: number
  /** The last seq done; the next run starts after it. */
  through: number
}

/**
 * Rewrites requests stored whole (before migration 090) or as a reference array (migration
 * 090) into a list chain + tail (migration 160), oldest first, one batch per transaction.
 * Resumable: the mark is saved with each batch, and a row already converted is left alone.
 * Readers see every format meanwhile. A whole row's jsonb text is what it is split from, so it
 * reads back as the same jsonb; a 090 row's text is its exact original text.
 */
export async function convertStoredBodies(
  db: Database,
  opts: { log: Log; batchSize?: number; signal?: AbortSignal },
): Promise<ConversionProgress> {
  const progress: ConversionProgress = { scanned: 0, converted: 0, through: 0 }
  for (;;) {
    if (opts.signal?.aborted) break
    const batch = await convertBatch(db, opts.batchSize ?? 200)
    if (batch === undefined) break
    progress.scanned += batch.scanned
    progress.converted += batch.converted
    progress.through = batch.through
    opts.log.info('converting stored bodies', { ...progress })
  }
  return progress
}

async function convertBatch(db: Database, limit: number) {
  return db.kysely.transaction().execute(async (tx) => {
    // The row lock keeps two converters (two processes on one PostgreSQL) from interleaving.
    const state = await sql<{ mark: string }>`select converted_through as mark
      from content_conversion_state for update`.execute(tx)
    const mark = Number(state.rows[0]?.mark ?? 0)
    const rows = await sql<{ request_id: string; seq: string; text: string | null }>`
      select request_id, seq, ${bodyTextExpr()} as text from api_requests
      where seq > ${mark} and body_list is null and (body_refs is not null
        or (jsonb_typeof(body) = 'object' and body ? 'messages'))
      order by seq limit ${limit}`.execute(tx)
    const last = rows.rows.at(-1)
    if (last === undefined) return undefined
    const updates: Array<{ id: string; head: string; tail: string | null }> = []
    const bodies: StoredBody[] = []
    for (const row of rows.rows) {
      // A 090 row whose blob is missing reads as null: left as it is.
      const stored = storedBodyOf(row.text)
      const head = stored.nodes.at(-1)?.hash
      if (row.text === null || head === undefined) continue
      updates.push({ id: row.request_id, head, tail: stored.body_tail })
      bodies.push(stored)
    }
    await insertContent(tx, bodies)
    if (updates.length > 0) {
      await sql`update api_requests r
        set body = null, body_segments = null, body_refs = null,
          body_list = decode(v.head, 'hex'), body_tail = v.tail
        from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(id uuid, head text, tail text)
        where r.request_id = v.id and r.body_list is null`.execute(tx)
    }
    const through = Number(last.seq)
    await sql`update content_conversion_state set converted_through = ${through}`.execute(tx)
    return { scanned: rows.rows.length, converted: updates.length, through }
  })
}
