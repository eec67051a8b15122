-- `nexus import` skips a transcript message the proxy already stored (same upstream
-- request-id), so traffic that went through the proxy is never counted a second time.
CREATE INDEX api_requests_upstream_request_id_idx ON api_requests (upstream_request_id)
  WHERE upstream_request_id IS NOT NULL;
