-- One vocabulary (docs/usage-api.md#token-vocabulary): a request's total_tokens is every
-- token it was billed for — input, cache writes, cache reads and output — as the usage
-- page's totals always were. Rows stored before counted input + output only; they are
-- brought in line, and with them each conversation's sum (the linker adds request totals).
UPDATE api_requests
SET total_tokens = input_tokens + output_tokens + cache_creation_input_tokens + cache_read_input_tokens
WHERE total_tokens <> input_tokens + output_tokens + cache_creation_input_tokens + cache_read_input_tokens;

UPDATE conversations c
SET total_tokens = s.total
FROM (
  SELECT conversation_id, sum(total_tokens) AS total
  FROM api_requests
  WHERE conversation_id IS NOT NULL
  GROUP BY conversation_id
) s
WHERE s.conversation_id = c.conversation_id AND c.total_tokens <> s.total;
