-- Conversation linking (src/conversations, docs/conversations.md). Everything here is derived
-- from the stored requests and rebuilt by `nexus conversations rebuild`.

-- Facts the linker derives once from a stored request (hashes of its messages and system
-- prompt, the sub-agent prompt it may carry, the compaction it may continue) and how it was
-- linked. The older conversation columns come from 001_api_requests.sql.
ALTER TABLE api_requests
  ADD COLUMN link_facts_version smallint,
  ADD COLUMN grandparent_message_hash text,
  ADD COLUMN subagent_prompt_hash text,
  ADD COLUMN compaction_format text,
  ADD COLUMN compaction_session_id text,
  ADD COLUMN link_kind text;

-- The linker's lookups, newest first: parent, grandparent and retry by message hash;
-- compaction continuations by session; sub-agents by agent id; children by parent. Each is
-- partial on its own key only: a predicate on a column the linker fills in (conversation_id)
-- would let the planner pick an index that statistics taken before linking call empty.
CREATE INDEX api_requests_message_hash_idx ON api_requests (domain, current_message_hash, seq)
  WHERE current_message_hash IS NOT NULL;
CREATE INDEX api_requests_session_idx ON api_requests (domain, session_id, seq)
  WHERE session_id IS NOT NULL;
CREATE INDEX api_requests_agent_idx ON api_requests (domain, agent_id, seq)
  WHERE agent_id IS NOT NULL;
CREATE INDEX api_requests_parent_request_idx ON api_requests (parent_request_id)
  WHERE parent_request_id IS NOT NULL;
-- A conversation's requests in order (detail view).
CREATE INDEX api_requests_conversation_idx ON api_requests (conversation_id, seq)
  WHERE conversation_id IS NOT NULL;

-- Requests are linked strictly in seq order, up to this mark. Rows above it are not linked
-- yet; rows at or below it never change again until a rebuild.
CREATE TABLE conversation_link_state (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  linked_through bigint NOT NULL DEFAULT 0
);
INSERT INTO conversation_link_state DEFAULT VALUES;

-- Linking in seq order needs seq order to be commit order: a row must never become visible
-- after a row with a higher seq has been linked. Inserting transactions therefore take turns
-- (a statement-level trigger fires before any identity value is drawn, and the lock is held
-- until commit). Per schema, so separate installations on one server do not wait on each
-- other.
CREATE FUNCTION api_requests_insert_in_turn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(727010, hashtext(TG_TABLE_SCHEMA));
  RETURN NULL;
END
$$;
CREATE TRIGGER api_requests_insert_in_turn BEFORE INSERT ON api_requests
  FOR EACH STATEMENT EXECUTE FUNCTION api_requests_insert_in_turn();

-- Agent/Task tool calls seen in responses: a sub-agent's first request finds its spawn by
-- (domain, prompt hash) with one index probe. subtask_number is the N of `subtask_N`.
CREATE TABLE conversation_spawns (
  request_id uuid NOT NULL,
  tool_index integer NOT NULL,
  seq bigint NOT NULL,
  domain text NOT NULL,
  prompt_hash text NOT NULL,
  tool_use_id text NOT NULL,
  session_id text,
  conversation_id uuid NOT NULL,
  subtask_number integer NOT NULL,
  claimed_by uuid,
  claimed_agent_id text,
  PRIMARY KEY (request_id, tool_index)
);
CREATE INDEX conversation_spawns_prompt_idx ON conversation_spawns (domain, prompt_hash, seq);
CREATE INDEX conversation_spawns_conversation_idx ON conversation_spawns (conversation_id);

-- One row per conversation, kept by the linker, so list views never aggregate requests.
-- conversation_id is the request_id of the conversation's first request. The counters number
-- new branches (branch_N, compact_N) and sub-agent spawns (subtask_N).
CREATE TABLE conversations (
  conversation_id uuid PRIMARY KEY,
  domain text NOT NULL,
  account_id text,
  started_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  request_count integer NOT NULL,
  message_count integer NOT NULL,
  total_tokens bigint NOT NULL,
  models text[] NOT NULL,
  branch_count integer NOT NULL,
  compact_count integer NOT NULL,
  spawn_count integer NOT NULL,
  subtask_count integer NOT NULL
);
CREATE INDEX conversations_last_at_idx ON conversations (last_at, conversation_id);
CREATE INDEX conversations_domain_last_at_idx ON conversations (domain, last_at, conversation_id);
CREATE INDEX conversations_account_last_at_idx ON conversations (account_id, last_at, conversation_id);
