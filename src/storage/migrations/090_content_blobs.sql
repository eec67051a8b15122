-- Content-addressed request bodies (docs/storage.md, docs/adr/0004-content-addressed-bodies.md).
-- Claude Code re-sends the whole conversation every turn; storing each body whole grows with
-- the square of its length. The system prompt, the tools and each message are stored once here,
-- keyed by the sha256 of their exact text; a request row keeps the text around them
-- (`body_segments`, a JSON array of strings) and the ordered hashes (`body_refs`), and `body`
-- is null. Rows with `body_refs` null keep their body whole, as before.
CREATE TABLE content_blobs (
  hash bytea PRIMARY KEY,
  content text NOT NULL,
  -- Set on insert and refreshed (at most hourly) whenever a new request references the blob:
  -- garbage collection removes only blobs unreferenced and untouched for longer than that.
  touched_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE api_requests ADD COLUMN body_segments jsonb, ADD COLUMN body_refs bytea[];

DO $$
BEGIN
  ALTER TABLE content_blobs ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available; content blobs stay compressed with pglz';
END
$$;

-- Comma-separated hex hashes (as the writer sends them) to the stored array.
CREATE FUNCTION nexus_hash_array(hex text) RETURNS bytea[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(decode(h, 'hex') ORDER BY i), '{}')
  FROM unnest(string_to_array(hex, ',')) WITH ORDINALITY AS t(h, i)
$$;

-- The one way a request body is read back: the stored text, byte for byte, for both row
-- formats (a whole body reads as jsonb's text). Null when a referenced blob is missing.
CREATE FUNCTION nexus_request_body_text(body jsonb, segments jsonb, refs bytea[])
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN refs IS NULL THEN body::text ELSE (
    SELECT CASE WHEN count(r.hash) = count(b.hash)
      THEN string_agg(s.seg || coalesce(b.content, ''), '' ORDER BY s.i) END
    FROM jsonb_array_elements_text(segments) WITH ORDINALITY AS s(seg, i)
    LEFT JOIN unnest(refs) WITH ORDINALITY AS r(hash, i) ON r.i = s.i
    LEFT JOIN content_blobs b ON b.hash = r.hash) END
$$;

CREATE FUNCTION nexus_request_body(body jsonb, segments jsonb, refs bytea[])
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN refs IS NULL THEN body ELSE nexus_request_body_text(body, segments, refs)::jsonb END
$$;

-- How far the background conversion of rows stored whole has got (src/storage/convert-bodies.ts):
-- rows up to this seq are converted or cannot be split. One row.
CREATE TABLE content_conversion_state (converted_through bigint NOT NULL);
INSERT INTO content_conversion_state VALUES (0);
