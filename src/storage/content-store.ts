import { sql, type Kysely } from 'kysely'
import type { Tables } from '../db/schema.ts'
import { splitBody } from './body-parts.ts'
import { boundedJson } from './json-depth.ts'

/** The body columns of an api_requests row, and the blobs they reference. */
export interface StoredBody {
  body: string | null
  body_segments: string | null
  body_refs: ReturnType<typeof sql<string[]>> | null
  blobs: Array<{ hash: string; text: string }>
}

/**
 * A /v1/messages-shaped body becomes its envelope and references (content-addressed); any
 * other body is stored whole, as before.
 */
export function storedBodyOf(bodyJson: string | null): StoredBody {
  const split = bodyJson === null ? undefined : splitBody(bodyJson)
  if (split === undefined || split.parts.length === 0) {
    return { body: boundedJson(bodyJson), body_segments: null, body_refs: null, blobs: [] }
  }
  const hexes = split.parts.map((p) => p.hash).join(',')
  return {
    body: null,
    body_segments: JSON.stringify(split.segments),
    body_refs: sql<string[]>`nexus_hash_array(${hexes})`,
    blobs: split.parts,
  }
}

// Bytes of blob text per statement: bounds the database's memory like the writer's batches.
const BLOB_BYTES_PER_INSERT = 4 * 1024 * 1024

/**
 * Inserts blobs not yet stored. A blob already there is locked for the rest of the transaction
 * and, when not touched for an hour, touched: garbage collection (retention.ts) deletes only
 * blobs untouched for longer than that, and a delete racing this insert waits for the lock and
 * then sees the new touch, so a blob a committing request references is never deleted.
 */
export async function insertBlobs(
  tx: Kysely<Tables>,
  blobs: Iterable<{ hash: string; text: string }>,
) {
  const unique = new Map<string, string>()
  for (const b of blobs) unique.set(b.hash, b.text)
  // Sorted: two transactions lock shared blobs in the same order, so they cannot deadlock.
  const sorted = [...unique].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  let batch: Array<{ h: string; c: string }> = []
  let bytes = 0
  for (const [h, c] of sorted) {
    batch.push({ h, c })
    bytes += c.length
    if (bytes >= BLOB_BYTES_PER_INSERT) {
      await insertBlobBatch(tx, batch)
      batch = []
      bytes = 0
    }
  }
  if (batch.length > 0) await insertBlobBatch(tx, batch)
}

async function insertBlobBatch(tx: Kysely<Tables>, batch: Array<{ h: string; c: string }>) {
  await sql`insert into content_blobs (hash, content)
    select decode(v.h, 'hex'), v.c from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as v(h text, c text)
    on conflict (hash) do update set touched_at = now()
      where content_blobs.touched_at < now() - ${TOUCH_INTERVAL}::interval`.execute(tx)
}

/** How stale a blob's touch may get before a new reference refreshes it. */
export const TOUCH_INTERVAL = '1 hour'
/** Garbage collection keeps blobs touched within this; twice the touch interval. */
export const GC_GRACE = '2 hours'

/** SQL for a request's body (jsonb) from either row format. */
export const bodyExpr = (alias?: string) =>
  sql.raw(
    alias === undefined
      ? 'nexus_request_body(body, body_segments, body_refs)'
      : `nexus_request_body(${alias}.body, ${alias}.body_segments, ${alias}.body_refs)`,
  )

/** The select item for a request's body (jsonb) from either row format, as `stored_body`. */
export const storedBodyColumn = () =>
  sql<unknown>`nexus_request_body(body, body_segments, body_refs)`.as('stored_body')
