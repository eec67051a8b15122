-- "Errors only" also means a response that started with 200 and then failed (a dropped or
-- truncated stream): it keeps its status and has `error` set. The partial index follows the
-- filter's predicate (request-queries.ts filterSql) so the planner can still use it.
DROP INDEX api_requests_errors_idx;
CREATE INDEX api_requests_errors_idx ON api_requests (timestamp DESC)
  WHERE status_code >= 400 OR status_code IS NULL OR error IS NOT NULL;
