import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { storedBodyColumn } from '../storage/content-store.ts'
import type { BranchSegment } from './transcript.ts'

interface BranchRequest {
  request_id: string
  message_count: number
}

/**
 * The requests of a branch that carry its history, oldest first. Each Messages request
 * re-sends the whole conversation so far, so only the last request before the history shrinks
 * (a compaction) and the branch's last request are needed: one or a few bodies instead of all.
 */
export async function loadBranchSegments(
  db: Database,
  conversationId: string,
  branchId: string,
): Promise<BranchSegment[]> {
  const requests = await db.kysely
    .selectFrom('api_requests')
    .select(['request_id', 'message_count'])
    .where('conversation_id', '=', conversationId)
    .where(
      branchId === 'main'
        ? sql<boolean>`(branch_id = 'main' or branch_id is null)`
        : sql<boolean>`branch_id = ${branchId}`,
    )
    .where('is_subtask', '=', false)
    .where(sql<boolean>`coalesce(request_type, 'inference') = 'inference'`)
    .orderBy('seq')
    .execute()
  const ends = segmentEnds(requests)
  const bodies = await readRequestBodies(db, ends)
  return ends.flatMap((id) => {
    const b = bodies.get(id)
    return b ? [{ messages: messagesOf(b.body), response: b.response }] : []
  })
}

/** The last request of each stretch whose message count only grows. */
export function segmentEnds(requests: readonly BranchRequest[]): string[] {
  const ends: string[] = []
  requests.forEach((r, i) => {
    const next = requests[i + 1]
    if (!next || next.message_count < r.message_count) ends.push(r.request_id)
  })
  return ends
}

/**
 * The one place analysis reads stored request and response bodies (storage may move them
 * out of api_requests; only this function changes then).
 */
export async function readRequestBodies(
  db: Database,
  requestIds: readonly string[],
): Promise<Map<string, { body: unknown; response: unknown }>> {
  if (requestIds.length === 0) return new Map()
  const rows = await db.kysely
    .selectFrom('api_requests')
    .select(['request_id', 'response_body', storedBodyColumn()])
    .where('request_id', 'in', requestIds)
    .execute()
  return new Map(
    rows.map((r) => [r.request_id, { body: json(r.stored_body), response: json(r.response_body) }]),
  )
}

function json(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return null
  }
}

function messagesOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'messages' in body ? body.messages : []
}

export async function branchExists(
  db: Database,
  conversationId: string,
  branchId: string,
): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('api_requests')
    .select('request_id')
    .where('conversation_id', '=', conversationId)
    .where(
      branchId === 'main'
        ? sql<boolean>`(branch_id = 'main' or branch_id is null)`
        : sql<boolean>`branch_id = ${branchId}`,
    )
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}
