-- Every request the proxy sees, successful or not. Rows are append-only; the conversation
-- columns are derived by the linker and can be rebuilt from the rest.
CREATE TABLE api_requests (
  request_id uuid PRIMARY KEY,
  -- Arrival order as the database saw it: linking and rebuild both follow it.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  timestamp timestamptz NOT NULL,
  domain text NOT NULL,
  account_id text,
  auth_source text,
  method text NOT NULL,
  path text NOT NULL,
  query text,
  model text,
  request_type text,
  is_streaming boolean NOT NULL DEFAULT false,
  status_code integer,
  error text,
  error_type text,
  stream_end text,
  duration_ms integer,
  first_token_ms integer,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  cache_creation_input_tokens integer NOT NULL DEFAULT 0,
  cache_read_input_tokens integer NOT NULL DEFAULT 0,
  total_tokens integer NOT NULL DEFAULT 0,
  request_headers jsonb,
  response_headers jsonb,
  body jsonb,
  body_bytes integer,
  response_body jsonb,
  response_bytes integer,
  message_count integer NOT NULL DEFAULT 0,
  tool_call_count integer NOT NULL DEFAULT 0,
  upstream_request_id text,
  conversation_id uuid,
  branch_id text,
  current_message_hash text,
  parent_message_hash text,
  system_hash text,
  parent_request_id uuid,
  is_subtask boolean NOT NULL DEFAULT false,
  parent_task_request_id uuid,
  session_id text,
  agent_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX api_requests_seq_idx ON api_requests (seq);
CREATE INDEX api_requests_timestamp_idx ON api_requests (timestamp DESC);
CREATE INDEX api_requests_domain_timestamp_idx ON api_requests (domain, timestamp DESC);

-- Raw SSE bytes as they arrived, so a stream can be replayed exactly.
CREATE TABLE streaming_chunks (
  request_id uuid NOT NULL,
  chunk_index integer NOT NULL,
  offset_ms integer NOT NULL,
  data text NOT NULL,
  PRIMARY KEY (request_id, chunk_index)
);
