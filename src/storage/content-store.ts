import { sql, type Kysely } from 'kysely'
import type { Tables } from '../db/schema.ts'
import { splitBody } from './body-parts.ts'
import { listNodes, type ListNode } from './body-list.ts'
import type { PrefixMemo } from './body-prefix.ts'
import { boundedJson } from './json-depth.ts'
import type { KnownHashes } from './known-hashes.ts'

/** The body columns of an api_requests row, and the blobs and list nodes they reference. */
export interface StoredBody {
  body: string | null
  /** The hash of the chain's last node, hex. */
  body_list: string | null
  body_tail: string | null
  blobs: Array<{ hash: string; text: string }>
  nodes: ListNode[]
}

/**
 * A /v1/messages-shaped body becomes a chain of list nodes over its parts and the text after
 * the last one (content-addressed, migration 160); any other body is stored whole, as before.
 */
export function storedBodyOf(bodyJson: string | null, memo?: PrefixMemo): StoredBody {
  const split = bodyJson === null ? undefined : splitBody(bodyJson, memo)
  if (split === undefined || split.parts.length === 0) {
    return { body: boundedJson(bodyJson), body_list: null, body_tail: null, blobs: [], nodes: [] }
  }
  const nodes = listNodes(split, memo?.priorNodes(split))
  memo?.setNodes(split, nodes)
  const head = nodes.at(-1)?.hash ?? ''
  return {
    body: null,
    body_list: head,
    body_tail: split.segments.at(-1) ?? '',
    blobs: split.parts,
    nodes,
  }
}

// Bytes of text per statement: bounds the database's memory like the writer's batches.
const CONTENT_BYTES_PER_INSERT = 4 * 1024 * 1024

/**
 * Inserts the blobs and list nodes of `bodies` not yet stored, leaving out those `known` says
 * the database has (known-hashes.ts), and returns the hashes it sent. A row already there is
 * locked for the rest of the transaction and, when not touched for an hour, touched: garbage
 * collection (retention.ts) deletes only rows untouched for longer than that, and a delete
 * racing this insert waits for the lock and then sees the new touch, so a row a committing
 * request references is never deleted.
 */
export async function insertContent(
  tx: Kysely<Tables>,
  bodies: Iterable<Pick<StoredBody, 'blobs' | 'nodes'>>,
  known?: KnownHashes,
): Promise<string[]> {
  const now = known?.now() ?? 0
  const blobs = new Map<string, string>()
  const nodes = new Map<string, ListNode>()
  for (const b of bodies) {
    for (const p of b.blobs) if (!known?.has(p.hash, now)) blobs.set(p.hash, p.text)
    for (const n of b.nodes) if (!known?.has(n.hash, now)) nodes.set(n.hash, n)
  }
  // Sorted: two transactions lock shared rows in the same order, so they cannot deadlock.
  const sortedBlobs = [...blobs].sort(byKey).map(([h, c]) => ({ h, c }))
  const sortedNodes = [...nodes.values()]
    .sort((a, b) => compare(a.hash, b.hash))
    .map((n) => ({ h: n.hash, p: n.parent, d: n.depth, s: n.sep, i: n.item }))
  for (const batch of byBytes(sortedBlobs, (b) => b.c.length)) await insertBlobBatch(tx, batch)
  for (const batch of byBytes(sortedNodes, (n) => n.s.length + 200))
    await insertNodeBatch(tx, batch)
  return [...blobs.keys(), ...nodes.keys()]
}

/** Inserts blobs not yet stored (the 090 format's converter and tests). */
export async function insertBlobs(
  tx: Kysely<Tables>,
  blobs: Iterable<{ hash: string; text: string }>,
) {
  await insertContent(tx, [{ blobs: [...blobs], nodes: [] }])
}

function* byBytes<T>(rows: T[], size: (row: T) => number): Generator<T[]> {
  let batch: T[] = []
  let bytes = 0
  for (const row of rows) {
    batch.push(row)
    bytes += size(row)
    if (bytes >= CONTENT_BYTES_PER_INSERT) {
      yield batch
      batch = []
      bytes = 0
    }
  }
  if (batch.length > 0) yield batch
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => compare(a, b)

async function insertBlobBatch(tx: Kysely<Tables>, batch: Array<{ h: string; c: string }>) {
  await sql`insert into content_blobs (hash, content)
    select decode(v.h, 'hex'), v.c from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as v(h text, c text)
    on conflict (hash) do update set touched_at = now()
      where content_blobs.touched_at < now() - ${TOUCH_INTERVAL}::interval`.execute(tx)
}

async function insertNodeBatch(tx: Kysely<Tables>, batch: unknown[]) {
  await sql`insert into content_lists (hash, parent, depth, sep, item)
    select decode(v.h, 'hex'), decode(v.p, 'hex'), v.d, v.s, decode(v.i, 'hex')
    from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as v(h text, p text, d int, s text, i text)
    on conflict (hash) do update set touched_at = now()
      where content_lists.touched_at < now() - ${TOUCH_INTERVAL}::interval`.execute(tx)
}

/** How stale a row's touch may get before a new reference refreshes it. */
export const TOUCH_INTERVAL = '1 hour'
/** Garbage collection keeps rows touched within this; twice the touch interval. */
export const GC_GRACE = '2 hours'

const BODY_ARGS = ['body', 'body_segments', 'body_refs', 'body_list', 'body_tail']

/** SQL for a request's body (jsonb) from any row format. */
export const bodyExpr = (alias?: string) =>
  sql.raw(
    `nexus_request_body(${BODY_ARGS.map((c) => (alias === undefined ? c : `${alias}.${c}`)).join(', ')})`,
  )

/** SQL for a request's body text, byte for byte as received, from any row format. */
export const bodyTextExpr = (alias?: string) =>
  sql.raw(
    `nexus_request_body_text(${BODY_ARGS.map((c) => (alias === undefined ? c : `${alias}.${c}`)).join(', ')})`,
  )

/** The select item for a request's body (jsonb) from any row format, as `stored_body`. */
export const storedBodyColumn = () => sql<unknown>`${bodyExpr()}`.as('stored_body')

/** The storage columns of the body that readers drop once they have `stored_body`. */
export const BODY_STORAGE_COLUMNS = [
  'body_segments',
  'body_refs',
  'body_list',
  'body_tail',
] as const
