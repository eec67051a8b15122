-- How each request was billed besides list rates: 'standard', or the multipliers that
-- applied joined by '+' ('batch', 'fast', 'us', e.g. 'fast+us'). Null in rows stored
-- before this column existed (they were priced at list rates).
ALTER TABLE api_requests ADD COLUMN pricing_mode text;
ALTER TABLE token_usage ADD COLUMN pricing_mode text;

-- Message Batches results counted so far, one row per (batch, custom_id). A results file
-- downloaded again finds its rows here and adds nothing to token_usage. usage_request_id is
-- the token_usage row the result was counted under (derived from batch and custom id);
-- download_request_id is the api_requests row of the download that counted it.
CREATE TABLE batch_result_usage (
  batch_id text NOT NULL,
  custom_id text NOT NULL,
  usage_request_id uuid NOT NULL,
  download_request_id uuid NOT NULL,
  counted_at timestamptz NOT NULL,
  PRIMARY KEY (batch_id, custom_id)
);
