-- Dashboard reads. List pages read narrow columns in (timestamp, seq) order; these serve
-- their filters and text search.

-- What a person searches for: the last user message's text, the answer's text and the error.
-- Written never to raise (any JSON shape gives text or null), because it runs in a trigger on
-- the insert of every request and a failure there would fail the insert.
CREATE FUNCTION nexus_search_text(body jsonb, response_body jsonb, error text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT left(concat_ws(' ',
    CASE jsonb_typeof(body -> 'messages' -> -1 -> 'content')
      WHEN 'string' THEN body -> 'messages' -> -1 ->> 'content'
      WHEN 'array' THEN (
        SELECT string_agg(b ->> 'text', ' ')
        FROM jsonb_array_elements(body -> 'messages' -> -1 -> 'content') AS b
        WHERE jsonb_typeof(b) = 'object' AND b ->> 'type' = 'text')
    END,
    CASE WHEN jsonb_typeof(response_body -> 'content') = 'array' THEN (
        SELECT string_agg(b ->> 'text', ' ')
        FROM jsonb_array_elements(response_body -> 'content') AS b
        WHERE jsonb_typeof(b) = 'object' AND b ->> 'type' = 'text')
    END,
    error), 8000)
$$;

-- The search document of each request, kept beside api_requests (derived, rebuildable by the
-- INSERT at the end of this file). A stored tsvector keeps a search cheap both ways the
-- planner may go: the GIN index for rare words, the (timestamp, seq) index with a cheap
-- filter for common ones. Computing it from the bodies on the fly costs ~0.2 ms per row.
CREATE TABLE request_search (
  request_id uuid PRIMARY KEY,
  timestamp timestamptz NOT NULL,
  seq bigint NOT NULL,
  document tsvector NOT NULL
);
CREATE INDEX request_search_document_idx ON request_search USING gin (document);
CREATE INDEX request_search_order_idx ON request_search (timestamp DESC, seq DESC);

-- Statement triggers with transition tables: one INSERT per writer batch, and only the rows
-- actually inserted (ON CONFLICT DO NOTHING skips replays).
CREATE FUNCTION request_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO request_search (request_id, timestamp, seq, document)
  SELECT request_id, timestamp, seq,
    to_tsvector('simple'::regconfig, coalesce(nexus_search_text(body, response_body, error), ''))
  FROM inserted
  ON CONFLICT (request_id) DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER api_requests_search_add AFTER INSERT ON api_requests
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION request_search_add();

CREATE FUNCTION request_search_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM request_search WHERE request_id IN (SELECT request_id FROM removed);
  RETURN NULL;
END
$$;
CREATE TRIGGER api_requests_search_remove AFTER DELETE ON api_requests
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION request_search_remove();

INSERT INTO request_search (request_id, timestamp, seq, document)
SELECT request_id, timestamp, seq,
  to_tsvector('simple'::regconfig, coalesce(nexus_search_text(body, response_body, error), ''))
FROM api_requests;

-- "Errors only" without scanning every success.
CREATE INDEX api_requests_errors_idx ON api_requests (timestamp DESC)
  WHERE status_code >= 400 OR status_code IS NULL;

-- Filter by model (few values, so the timestamp index alone would scan far for a rare one).
CREATE INDEX api_requests_model_timestamp_idx ON api_requests (model, timestamp DESC);
