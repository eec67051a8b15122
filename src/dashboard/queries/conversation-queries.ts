import { sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { DomainScope } from '../auth/scope.ts'
import { isUuid } from './request-queries.ts'
import { scopeSql } from './scope-sql.ts'

/** A row of the linker's `conversations` table (src/conversations/migrations/010_…). */
export interface ConversationSummary {
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
  subtask_count: number
}

export const CONVERSATION_PAGE_SIZE = 30

export interface ConversationCursor {
  lastAt: Date
  id: string
}

/**
 * Conversations by last activity, newest first, from the one-row-per-conversation table the
 * linker keeps (never an aggregate over requests), keyset-paginated on (last_at, id).
 */
export async function listConversations(
  db: Database,
  scope: DomainScope,
  options: { domain?: string; before?: ConversationCursor; limit?: number },
): Promise<{ rows: ConversationSummary[]; next: ConversationCursor | undefined }> {
  const limit = options.limit ?? CONVERSATION_PAGE_SIZE
  const domain = options.domain ? sql`and domain = ${options.domain}` : sql``
  const before = options.before
    ? sql`and (last_at, conversation_id) < (${options.before.lastAt}, ${options.before.id})`
    : sql``
  const result = await sql<ConversationSummary>`
    select conversation_id, domain, account_id, started_at, last_at, request_count,
      message_count, total_tokens, models, branch_count, compact_count, subtask_count
    from conversations
    where ${scopeSql(scope)} ${domain} ${before}
    order by last_at desc, conversation_id desc
    limit ${limit + 1}`.execute(db.kysely)
  const more = result.rows.length > limit
  const rows = more ? result.rows.slice(0, limit) : result.rows
  const last = rows.at(-1)
  return {
    rows,
    next: more && last ? { lastAt: new Date(last.last_at), id: last.conversation_id } : undefined,
  }
}

/** A request as a node of the conversation tree: narrow columns only. */
export interface TreeRow {
  request_id: string
  seq: number
  timestamp: Date
  domain: string
  model: string | null
  request_type: string | null
  status_code: number | null
  duration_ms: number | null
  input_tokens: number
  output_tokens: number
  cache_read_input_tokens: number
  cache_creation_input_tokens: number
  cost_usd: number | null
  message_count: number
  tool_call_count: number
  branch_id: string | null
  parent_request_id: string | null
  is_subtask: boolean
  parent_task_request_id: string | null
  conversation_id: string | null
}

export const TREE_LIMIT = 2000

/** Every request of a conversation (sub-agents included) in arrival order, narrow columns. */
export async function findConversationRequests(
  db: Database,
  scope: DomainScope,
  conversationId: string,
): Promise<{ rows: TreeRow[]; truncated: boolean }> {
  if (!isUuid(conversationId)) return { rows: [], truncated: false }
  const result = await sql<TreeRow>`
    select request_id, seq, timestamp, domain, model, request_type, status_code, duration_ms,
      input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens,
      cost_usd, message_count,
      tool_call_count, branch_id, parent_request_id, is_subtask, parent_task_request_id,
      conversation_id
    from api_requests
    where conversation_id = ${conversationId} and ${scopeSql(scope)}
    order by seq limit ${TREE_LIMIT + 1}`.execute(db.kysely)
  const truncated = result.rows.length > TREE_LIMIT
  return { rows: truncated ? result.rows.slice(0, TREE_LIMIT) : result.rows, truncated }
}
