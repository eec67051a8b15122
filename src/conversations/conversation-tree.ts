import type {
  ConversationRequestRow,
  ConversationSpawnRow,
  ConversationSummaryRow,
} from './conversation-query-store.ts'

export interface ConversationSummary {
  id: string
  domain: string
  accountId: string | null
  firstAt: string
  lastAt: string
  messageCount: number
  requestCount: number
  /** main, branch_N and compact_N branches. */
  branchCount: number
  /** Sub-agents that ran (subtask_N branches with requests). */
  subtaskCount: number
  totalTokens: number
  models: string[]
}

export function conversationSummary(row: ConversationSummaryRow): ConversationSummary {
  return {
    id: row.conversation_id,
    domain: row.domain,
    accountId: row.account_id,
    firstAt: row.started_at.toISOString(),
    lastAt: row.last_at.toISOString(),
    messageCount: row.message_count,
    requestCount: row.request_count,
    branchCount: 1 + row.branch_count + row.compact_count,
    subtaskCount: row.subtask_count,
    totalTokens: row.total_tokens,
    models: row.models,
  }
}

export interface RequestNode {
  id: string
  seq: number
  timestamp: string
  model: string | null
  statusCode: number | null
  linkKind: string
  parentRequestId: string | null
  isSubtask: boolean
  parentTaskRequestId: string | null
  messageCount: number
  inputTokens: number
  outputTokens: number
  totalTokens: number
  durationMs: number | null
}

export type BranchKind = 'main' | 'branch' | 'compaction' | 'subtask'

export interface Branch {
  id: string
  kind: BranchKind
  /**
   * Where the branch leaves its parent branch: the request it forked from (branch), the
   * compaction call it continues (compaction) or the request that spawned it (subtask).
   */
  fromRequestId: string | null
  /** Sub-tasks: the Agent/Task tool call that started them. */
  toolUseId?: string
  requests: RequestNode[]
}

export interface ConversationTree {
  conversation: ConversationSummary
  branches: Branch[]
}

/**
 * A conversation's requests grouped by branch, each branch in arrival order and attached to
 * where it starts; branches come in the order they started.
 */
export function conversationTree(
  summary: ConversationSummaryRow,
  requests: readonly ConversationRequestRow[],
  spawns: readonly ConversationSpawnRow[],
): ConversationTree {
  const branches = new Map<string, Branch>()
  for (const row of requests) {
    let branch = branches.get(row.branch_id)
    if (!branch) {
      branch = {
        id: row.branch_id,
        kind: kindOf(row.branch_id),
        fromRequestId: row.parent_request_id,
        requests: [],
      }
      const spawn =
        branch.kind === 'subtask'
          ? spawns.find((s) => `subtask_${s.subtask_number}` === row.branch_id)
          : undefined
      if (spawn) branch.toolUseId = spawn.tool_use_id
      branches.set(row.branch_id, branch)
    }
    branch.requests.push(nodeOf(row))
  }
  return { conversation: conversationSummary(summary), branches: [...branches.values()] }
}

function kindOf(branchId: string): BranchKind {
  if (branchId === 'main') return 'main'
  if (branchId.startsWith('subtask_')) return 'subtask'
  if (branchId.startsWith('compact_')) return 'compaction'
  return 'branch'
}

function nodeOf(row: ConversationRequestRow): RequestNode {
  return {
    id: row.request_id,
    seq: row.seq,
    timestamp: row.timestamp.toISOString(),
    model: row.model,
    statusCode: row.status_code,
    linkKind: row.link_kind,
    parentRequestId: row.parent_request_id,
    isSubtask: row.is_subtask,
    parentTaskRequestId: row.parent_task_request_id,
    messageCount: row.message_count,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    totalTokens: row.total_tokens,
    durationMs: row.duration_ms,
  }
}
