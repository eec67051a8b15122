import type { ColumnType, Generated } from 'kysely'

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
  is_streaming: boolean
  status_code: number | null
  error: string | null
  error_type: string | null
  stream_end: string | null
  duration_ms: number | null
  first_token_ms: number | null
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
  total_tokens: number
  request_headers: Json
  response_headers: Json
  body: Json
  body_bytes: number | null
  response_body: Json
  response_bytes: number | null
  message_count: number
  tool_call_count: number
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

export interface Tables {
  api_requests: ApiRequestsTable
  streaming_chunks: StreamingChunksTable
  schema_migrations: SchemaMigrationsTable
}
