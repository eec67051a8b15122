import type { LinkFacts, StoredExchange } from './link-facts.ts'

/**
 * How a request joined its conversation:
 * - `root`: it starts one (conversation_id is its own request_id);
 * - `parent` / `grandparent`: found by message hash minus one / two exchanges;
 * - `retry`: a first request sent again (same messages, same session);
 * - `compaction`: continues a compacted conversation (`compact_N` branch);
 * - `subtask`: a sub-agent's first request (`subtask_N` branch);
 * - `agent`: a sub-agent request whose parent was lost, found by its agent id.
 */
export type LinkKind =
  'root' | 'parent' | 'grandparent' | 'retry' | 'compaction' | 'subtask' | 'agent'

/** Kinds whose parent is "the previous turn": a second such child of one parent is a branch. */
export const TURN_LINKS: ReadonlySet<LinkKind> = new Set(['parent', 'grandparent', 'agent'])

/** The conversation columns of a request; all null for requests that are not linked. */
export interface RequestLinks {
  conversationId: string | null
  branchId: string | null
  linkKind: LinkKind | null
  parentRequestId: string | null
  isSubtask: boolean
  parentTaskRequestId: string | null
}

export const UNLINKED: RequestLinks = {
  conversationId: null,
  branchId: null,
  linkKind: null,
  parentRequestId: null,
  isSubtask: false,
  parentTaskRequestId: null,
}

/** A stored request as the linker reads it, in seq order. */
export interface PendingRequest {
  seq: number
  requestId: string
  timestamp: Date
  domain: string
  accountId: string | null
  model: string | null
  requestType: string | null
  messageCount: number
  totalTokens: number
  sessionId: string | null
  agentId: string | null
  /** Null when not derived yet (`factsVersion` null) or when there is nothing to link. */
  facts: LinkFacts | null
  factsVersion: number | null
  links: RequestLinks
  /** The stored exchange, read only when facts still have to be derived. */
  stored: StoredExchange | null
  /** Derive the request type and session evidence again too (`rebuild --rehash`). */
  reclassify: boolean
  /** The response's content blocks, read only for inference requests with tool calls. */
  responseContent: unknown
}

/** An earlier, linked request: what a new request can attach to. */
export interface LinkedRequest {
  requestId: string
  seq: number
  domain: string
  conversationId: string
  branchId: string
  linkKind: LinkKind
  parentRequestId: string | null
  isSubtask: boolean
  parentTaskRequestId: string | null
  currentHash: string
  systemHash: string | null
  sessionId: string | null
  agentId: string | null
  /** When the proxy received it (stored, so a rebuild reads the same value). */
  timestamp: Date
  /** Whether a request already continues this one as its next turn (TURN_LINKS). */
  hasChildren: boolean
}

/** One Agent/Task call, numbered within its conversation, and the sub-agent that took it. */
export interface SpawnState {
  requestId: string
  toolIndex: number
  seq: number
  domain: string
  promptHash: string
  toolUseId: string
  sessionId: string | null
  conversationId: string
  subtaskNumber: number
  claimedBy: string | null
  claimedAgentId: string | null
}

/** The `conversations` row: list-view totals and the counters that number new branches. */
export interface ConversationState {
  conversationId: string
  domain: string
  accountId: string | null
  startedAt: Date
  lastAt: Date
  requestCount: number
  messageCount: number
  totalTokens: number
  models: string[]
  branchCount: number
  compactCount: number
  spawnCount: number
  subtaskCount: number
}

/** Keys of the earlier requests a batch may link to (see LinkIndex). */
export interface LookupKeys {
  hashes: { domain: string; hash: string }[]
  sessions: { domain: string; sessionId: string; agentId: string | null }[]
  agents: { domain: string; agentId: string }[]
  prompts: { domain: string; promptHash: string }[]
}

export interface Prefetched {
  requests: LinkedRequest[]
  spawns: SpawnState[]
  conversations: ConversationState[]
}

/** What one batch writes back: only requests whose columns changed. */
export interface RequestWrite {
  requestId: string
  requestType: string | null
  sessionId: string | null
  agentId: string | null
  factsVersion: number | null
  facts: LinkFacts | null
  links: RequestLinks
}

export interface BatchWrites {
  requests: RequestWrite[]
  conversations: ConversationState[]
  spawns: SpawnState[]
  linkedThrough: number
}
