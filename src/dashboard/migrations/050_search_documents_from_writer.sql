-- The storage writer inserts each request's search document itself, from text it built while
-- the bodies were still parsed (src/storage/search-text.ts), in the same statement as the
-- request. The insert trigger goes: its transition table copied every inserted row with its
-- uncompressed bodies, and nexus_search_text() walked them again, together about a fifth of
-- the embedded database's time per stored request. Records spooled without a search text get
-- theirs from nexus_search_text() in the writer; the delete trigger stays.
DROP TRIGGER api_requests_search_add ON api_requests;
DROP FUNCTION request_search_add();
