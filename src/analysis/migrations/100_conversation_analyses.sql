-- One AI analysis per conversation branch, and the queue that produces it: a row is the job.
-- Workers claim pending rows with FOR UPDATE SKIP LOCKED, so many processes can share one
-- database without running a job twice at once (docs/analysis.md).
CREATE TABLE conversation_analyses (
  id bigserial PRIMARY KEY,
  conversation_id uuid NOT NULL,
  branch_id text NOT NULL,
  domain text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  custom_prompt text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  locked_by text,
  completed_at timestamptz,
  error text,
  result jsonb,
  raw_text text,
  provider text,
  model text,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  cost_usd double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (conversation_id, branch_id)
);

CREATE INDEX conversation_analyses_pending_idx ON conversation_analyses (next_attempt_at, id)
  WHERE status = 'pending';
CREATE INDEX conversation_analyses_processing_idx ON conversation_analyses (started_at)
  WHERE status = 'processing';

-- Who created, read or regenerated which analysis; creations per domain also feed the rate limit.
CREATE TABLE analysis_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  event text NOT NULL,
  outcome text NOT NULL,
  conversation_id uuid NOT NULL,
  branch_id text NOT NULL,
  domain text NOT NULL,
  actor text NOT NULL
);

CREATE INDEX analysis_audit_domain_event_at_idx ON analysis_audit (domain, event, at);
