-- Compaction continuations without session evidence (docs/conversations.md, rule 3): a
-- continuation finds the compaction call whose answer holds its summary.
--   asks_compaction          the request asks for Claude Code's conversation summary
--   compaction_call          key of the summary its answer gave (set by the linker)
--   compaction_summary_hash  key of the summary a continuation starts with
ALTER TABLE api_requests
  ADD COLUMN asks_compaction boolean,
  ADD COLUMN compaction_call text,
  ADD COLUMN compaction_summary_hash text;

CREATE INDEX api_requests_compaction_call_idx ON api_requests (domain, compaction_call, seq)
  WHERE compaction_call IS NOT NULL;
