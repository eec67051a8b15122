-- Request and response bodies are tens to hundreds of kilobytes of JSON each. PostgreSQL's
-- default TOAST compression (pglz) was most of the server's CPU per stored request; lz4 does
-- the same job about three times faster for ~1.5x the disk (docs/storage.md has the figures).
-- Builds without lz4 (PGlite) keep pglz: feature_not_supported is the only error ignored.
DO $$
BEGIN
  ALTER TABLE api_requests
    ALTER COLUMN body SET COMPRESSION lz4,
    ALTER COLUMN response_body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available; request bodies stay compressed with pglz';
END
$$;
