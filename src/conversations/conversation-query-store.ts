import { sql } from 'kysely'
import type { Database } from '../db/database.ts'

/** The list view's columns: totals kept by the linker, no request bodies. */
export interface ConversationSummaryRow {
  conversation_id: string
  domain: string
  account_id: string | null
  started_at: Date
  last_at: Date
  request_count: number
  message_count: number
  total_tokens: number
  models: string[]
  branch_count: number
  compact_count: number
  spawn_count: number
  subtask_count: number
}

export interface ConversationFilter {
  domain?: string | undefined
  accountId?: string | undefined
  limit: number
  /** Continue after this (last_at, conversation_id), newest first. */
  after?: { lastAt: string; conversationId: string } | undefined
}

export async function listConversations(
  db: Database,
  filter: ConversationFilter,
): Promise<ConversationSummaryRow[]> {
  let query = db.kysely.selectFrom('conversations').selectAll()
  if (filter.domain !== undefined) query = query.where('domain', '=', filter.domain)
  if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId)
  if (filter.after) {
    const { lastAt, conversationId } = filter.after
    query = query.where(
      sql<boolean>`(last_at, conversation_id) < (${lastAt}::timestamptz, ${conversationId}::uuid)`,
    )
  }
  const rows = await query
    .orderBy('last_at', 'desc')
    .orderBy('conversation_id', 'desc')
    .limit(filter.limit)
    .execute()
  return rows.map((r) => ({
    ...r,
    started_at: new Date(r.started_at),
    last_at: new Date(r.last_at),
  }))
}

export async function findConversation(
  db: Database,
  conversationId: string,
): Promise<ConversationSummaryRow | undefined> {
  const row = await db.kysely
    .selectFrom('conversations')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst()
  return row && { ...row, started_at: new Date(row.started_at), last_at: new Date(row.last_at) }
}

/** A request as the detail view shows it: links and totals, never bodies. */
export interface ConversationRequestRow {
  request_id: string
  seq: number
  timestamp: Date
  model: string | null
  status_code: number | null
  branch_id: string
  link_kind: string
  parent_request_id: string | null
  is_subtask: boolean
  parent_task_request_id: string | null
  message_count: number
  input_tokens: number
  output_tokens: number
  total_tokens: number
  duration_ms: number | null
}

export async function findConversationRequests(
  db: Database,
  conversationId: string,
): Promise<ConversationRequestRow[]> {
  const rows = await db.kysely
    .selectFrom('api_requests')
    .select([
      'request_id',
      'seq',
      'timestamp',
      'model',
      'status_code',
      'branch_id',
      'link_kind',
      'parent_request_id',
      'is_subtask',
      'parent_task_request_id',
      'message_count',
      'input_tokens',
      'output_tokens',
      'total_tokens',
      'duration_ms',
    ])
    .where('conversation_id', '=', conversationId)
    .orderBy('seq')
    .execute()
  return rows.map((r) => ({
    ...r,
    timestamp: new Date(r.timestamp),
    branch_id: r.branch_id ?? 'main',
    link_kind: r.link_kind ?? 'root',
  }))
}

export interface ConversationSpawnRow {
  request_id: string
  tool_use_id: string
  subtask_number: number
  claimed_by: string | null
}

export async function findConversationSpawns(
  db: Database,
  conversationId: string,
): Promise<ConversationSpawnRow[]> {
  return db.kysely
    .selectFrom('conversation_spawns')
    .select(['request_id', 'tool_use_id', 'subtask_number', 'claimed_by'])
    .where('conversation_id', '=', conversationId)
    .orderBy('subtask_number')
    .execute()
}
