import type { ColumnType, Generated, RawBuilder } from 'kysely'

type Json = ColumnType<unknown, string | null, string | null>
type Timestamp = ColumnType<Date, Date | string, Date | string>

export interface ApiRequestsTable {
  request_id: string
  seq: Generated<number>
  timestamp: Timestamp
  domain: string
  account_id: string | null
  auth_source: string | null
  method: string
  path: string
  query: string | null
  model: string | null
  request_type: string | null
  is_streaming: Generated<boolean>
  status_code: number | null
  error: string | null
  error_type: string | null
  stream_end: string | null
  duration_ms: number | null
  first_token_ms: number | null
  input_tokens: Generated<number>
  output_tokens: Generated<number>
  cache_creation_input_tokens: Generated<number>
  cache_read_input_tokens: Generated<number>
  total_tokens: Generated<number>
  request_headers: Json
  response_headers: Json
  body: Json
  /** Content-addressed bodies (src/storage/content-store.ts); null for bodies stored whole. */
  body_segments: Json
  body_refs: ColumnType<Buffer[] | null, RawBuilder<string[]> | null, RawBuilder<string[]> | null>
  /** Migration 160: the last node of the body's part chain, and the text after the last part. */
  body_list: ColumnType<Buffer | null, RawBuilder<Buffer> | null, RawBuilder<Buffer> | null>
  body_tail: string | null
  body_bytes: number | null
  response_body: Json
  response_bytes: number | null
  message_count: Generated<number>
  tool_call_count: Generated<number>
  upstream_request_id: string | null
  conversation_id: string | null
  branch_id: string | null
  current_message_hash: string | null
  parent_message_hash: string | null
  system_hash: string | null
  parent_request_id: string | null
  is_subtask: Generated<boolean>
  parent_task_request_id: string | null
  session_id: string | null
  agent_id: string | null
  created_at: Generated<Date>
  cost_usd: number | null
  cache_creation_5m_tokens: Generated<number>
  cache_creation_1h_tokens: Generated<number>
  web_search_requests: Generated<number>
  pricing_mode: string | null
  /** src/import/migrations/130_imported_requests.sql: null for proxied rows. */
  source: string | null
  message_id: string | null
}

export interface StreamingChunksTable {
  request_id: string
  chunk_index: number
  offset_ms: number
  data: string
}

export interface SchemaMigrationsTable {
  version: number
  name: string
  applied_at: Generated<Date>
}

/** Usage tables: src/usage/migrations/020_token_usage.sql. */
export interface TokenUsageTable {
  request_id: string
  timestamp: Timestamp
  domain: string
  account_id: string | null
  model: string | null
  request_type: string | null
  status_code: number | null
  is_error: boolean
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_creation_5m_tokens: number
  cache_creation_1h_tokens: number
  cache_read_input_tokens: number
  web_search_requests: number
  cost_nano_usd: number | null
  /** src/usage/migrations/080_pricing_mode_batch_results.sql */
  pricing_mode: string | null
}

/** Message Batches results already counted: 080_pricing_mode_batch_results.sql. */
export interface BatchResultUsageTable {
  batch_id: string
  custom_id: string
  usage_request_id: string
  download_request_id: string
  counted_at: Timestamp
}

export interface TokenUsageHourlyTable {
  hour: Timestamp
  account_id: string
  domain: string
  model: string
  requests: number
  error_requests: number
  unpriced_requests: number
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_creation_5m_tokens: number
  cache_creation_1h_tokens: number
  cache_read_input_tokens: number
  web_search_requests: number
  cost_nano_usd: number
  first_at: Timestamp
  last_at: Timestamp
}

export interface AccountRateLimitsTable {
  account_id: string
  domain: string
  request_id: string
  observed_at: Timestamp
  headers: Json
}

/** Conversation linking: src/conversations/migrations/010_conversation_links.sql. */
export interface ApiRequestsTable {
  link_facts_version: number | null
  grandparent_message_hash: string | null
  subagent_prompt_hash: string | null
  compaction_format: string | null
  compaction_session_id: string | null
  link_kind: string | null
  /** 075_compaction_call.sql */
  asks_compaction: boolean | null
  compaction_call: string | null
  compaction_summary_hash: string | null
}

export interface ConversationsTable {
  conversation_id: string
  domain: string
  account_id: string | null
  started_at: Timestamp
  last_at: Timestamp
  request_count: number
  message_count: number
  total_tokens: number
  models: string[]
  branch_count: number
  compact_count: number
  spawn_count: number
  subtask_count: number
}

export interface ConversationSpawnsTable {
  request_id: string
  tool_index: number
  seq: number
  domain: string
  prompt_hash: string
  tool_use_id: string
  session_id: string | null
  conversation_id: string
  subtask_number: number
  claimed_by: string | null
  claimed_agent_id: string | null
}

export interface ConversationLinkStateTable {
  id: Generated<boolean>
  linked_through: number
}

/** Content-addressed request parts: src/storage/migrations/090_content_blobs.sql. */
export interface ContentBlobsTable {
  hash: Buffer
  content: string
  touched_at: Generated<Date>
}

export interface Tables {
  content_blobs: ContentBlobsTable
  api_requests: ApiRequestsTable
  streaming_chunks: StreamingChunksTable
  token_usage: TokenUsageTable
  token_usage_hourly: TokenUsageHourlyTable
  batch_result_usage: BatchResultUsageTable
  account_rate_limits: AccountRateLimitsTable
  schema_migrations: SchemaMigrationsTable
  conversations: ConversationsTable
  conversation_spawns: ConversationSpawnsTable
  conversation_link_state: ConversationLinkStateTable
}

/** AI analysis jobs and results: src/analysis/migrations/100_conversation_analyses.sql. */
export interface ConversationAnalysesTable {
  id: Generated<number>
  conversation_id: string
  branch_id: string
  domain: string
  status: 'pending' | 'processing' | 'completed' | 'failed'
  custom_prompt: string | null
  attempts: Generated<number>
  next_attempt_at: Timestamp
  started_at: Timestamp | null
  locked_by: string | null
  completed_at: Timestamp | null
  error: string | null
  result: Json
  raw_text: string | null
  provider: string | null
  model: string | null
  input_tokens: Generated<number>
  output_tokens: Generated<number>
  cost_usd: number | null
  created_at: Generated<Date>
  updated_at: Timestamp
}

export interface AnalysisAuditTable {
  id: Generated<number>
  at: Timestamp
  event: string
  outcome: string
  conversation_id: string
  branch_id: string
  domain: string
  actor: string
}

export interface Tables {
  conversation_analyses: ConversationAnalysesTable
  analysis_audit: AnalysisAuditTable
}
