-- Linear references for content-addressed bodies (docs/storage.md, docs/adr/0004-content-addressed-bodies.md).
-- A request stored by migration 090 keeps the full ordered list of its parts' hashes, so a
-- conversation's references grow with the square of its length. Here a body's parts form a chain
-- of list nodes, each keyed by the hash of (its position, its parent node, the text before the
-- part, the part's blob): a turn that re-sends the conversation shares every node of the previous
-- turn's prefix and adds nodes only for its new parts. A request row keeps the last node
-- (`body_list`) and the text after the last part (`body_tail`); `body`, `body_segments` and
-- `body_refs` are null.
CREATE TABLE content_lists (
  hash bytea PRIMARY KEY,
  -- Null for a body's first part.
  parent bytea,
  -- The part's position, from 1: the chain reads back in order, and is complete when it has
  -- as many nodes as the last node's depth.
  depth integer NOT NULL,
  -- The body text between the previous part (or the start) and this one.
  sep text NOT NULL,
  item bytea NOT NULL,
  -- As content_blobs.touched_at: garbage collection keeps nodes touched within its grace.
  touched_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE api_requests ADD COLUMN body_list bytea, ADD COLUMN body_tail text;

-- The text of the parts up to and including `head`, each preceded by its separator. Null when
-- a node or a blob is missing.
CREATE FUNCTION nexus_list_text(head bytea) RETURNS text LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chain(parent, depth, sep, item) AS (
    SELECT parent, depth, sep, item FROM content_lists WHERE hash = head
    UNION ALL
    SELECT l.parent, l.depth, l.sep, l.item FROM chain c JOIN content_lists l ON l.hash = c.parent
  )
  SELECT CASE WHEN count(*) = max(c.depth) AND count(b.hash) = count(*)
    THEN string_agg(c.sep || b.content, '' ORDER BY c.depth) END
  FROM chain c LEFT JOIN content_blobs b ON b.hash = c.item
$$;

-- The one way a request body is read back, for all three row formats: whole (jsonb's text),
-- envelope + reference array (migration 090), list chain + tail (this migration).
CREATE FUNCTION nexus_request_body_text(body jsonb, segments jsonb, refs bytea[], list bytea, tail text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN list IS NOT NULL THEN nexus_list_text(list) || tail
    ELSE nexus_request_body_text(body, segments, refs) END
$$;

CREATE FUNCTION nexus_request_body(body jsonb, segments jsonb, refs bytea[], list bytea, tail text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN list IS NULL AND refs IS NULL THEN body
    ELSE nexus_request_body_text(body, segments, refs, list, tail)::jsonb END
$$;

-- The background conversion rewrites rows of migration 090's format too: start it over once.
UPDATE content_conversion_state SET converted_through = 0;
