-- Cost per request, computed when the record is built (price table + PRICING_FILE).
-- cost_usd is null when the model is not in the price table: counted, never guessed.
ALTER TABLE api_requests
  ADD COLUMN cost_usd numeric(18, 9),
  ADD COLUMN cache_creation_5m_tokens integer NOT NULL DEFAULT 0,
  ADD COLUMN cache_creation_1h_tokens integer NOT NULL DEFAULT 0,
  ADD COLUMN web_search_requests integer NOT NULL DEFAULT 0;

-- The usage ledger: one narrow row per stored request, written in the same transaction as
-- its api_requests row. Monthly partitions are created ahead by the application
-- (src/usage/token-usage-partitions-store.ts); the default partition catches anything
-- outside them. The primary key must contain the partition key; a record always carries
-- the same timestamp, so (request_id, timestamp) is unique per request.
CREATE TABLE token_usage (
  request_id uuid NOT NULL,
  timestamp timestamptz NOT NULL,
  domain text NOT NULL,
  account_id text,
  model text,
  request_type text,
  status_code integer,
  is_error boolean NOT NULL DEFAULT false,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  -- All cache writes, then the same split by TTL (5-minute and 1-hour are priced apart).
  cache_creation_input_tokens integer NOT NULL DEFAULT 0,
  cache_creation_5m_tokens integer NOT NULL DEFAULT 0,
  cache_creation_1h_tokens integer NOT NULL DEFAULT 0,
  cache_read_input_tokens integer NOT NULL DEFAULT 0,
  web_search_requests integer NOT NULL DEFAULT 0,
  -- Integer nano-dollars (1e-9 USD): sums stay exact. Null when the model is unpriced.
  cost_nano_usd bigint,
  PRIMARY KEY (request_id, timestamp)
) PARTITION BY RANGE (timestamp);

CREATE TABLE token_usage_default PARTITION OF token_usage DEFAULT;
CREATE INDEX token_usage_timestamp_idx ON token_usage (timestamp);
CREATE INDEX token_usage_account_timestamp_idx ON token_usage (account_id, timestamp);

-- Hourly totals per account, domain and model, maintained from the rows actually inserted
-- into token_usage (same statement, so a replayed record is never counted twice). Every
-- usage endpoint reads this table: aggregating a month of token_usage takes close to a
-- second at 1M requests, this table a few milliseconds. It can be rebuilt from token_usage.
-- Unknown account or model is '' (a primary key column cannot be null).
CREATE TABLE token_usage_hourly (
  hour timestamptz NOT NULL,
  account_id text NOT NULL,
  domain text NOT NULL,
  model text NOT NULL,
  requests integer NOT NULL DEFAULT 0,
  error_requests integer NOT NULL DEFAULT 0,
  unpriced_requests integer NOT NULL DEFAULT 0,
  input_tokens bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  cache_creation_input_tokens bigint NOT NULL DEFAULT 0,
  cache_creation_5m_tokens bigint NOT NULL DEFAULT 0,
  cache_creation_1h_tokens bigint NOT NULL DEFAULT 0,
  cache_read_input_tokens bigint NOT NULL DEFAULT 0,
  web_search_requests bigint NOT NULL DEFAULT 0,
  cost_nano_usd bigint NOT NULL DEFAULT 0,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (hour, account_id, domain, model)
);

CREATE INDEX token_usage_hourly_account_idx ON token_usage_hourly (account_id, hour);
CREATE INDEX token_usage_hourly_domain_idx ON token_usage_hourly (domain, hour);

-- The latest anthropic-ratelimit-* (and retry-after) headers seen per account, parsed on
-- read (src/usage/rate-limit-headers.ts). Older observations never overwrite newer ones.
CREATE TABLE account_rate_limits (
  account_id text PRIMARY KEY,
  domain text NOT NULL,
  request_id uuid NOT NULL,
  observed_at timestamptz NOT NULL,
  headers jsonb NOT NULL
);
