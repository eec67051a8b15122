-- Requests brought in by `nexus import` from Claude Code transcripts (docs/import.md), not
-- seen by the proxy. source is null for proxied rows and 'claude-code-import' for imported
-- ones; message_id is the API message id the transcript recorded. A message is imported once:
-- its request_id is derived from the message id, and this index refuses a second row for it
-- even if that derivation ever changed.
ALTER TABLE api_requests
  ADD COLUMN source text,
  ADD COLUMN message_id text;

CREATE UNIQUE INDEX api_requests_message_id_idx ON api_requests (message_id)
  WHERE message_id IS NOT NULL;
