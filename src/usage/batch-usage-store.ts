import { sql, type Kysely } from 'kysely'
import type { Tables } from '../db/schema.ts'
import type { RequestRecord } from '../storage/request-record.ts'
import { batchUsageRequestId } from './batch-results.ts'
import { usdToNano } from './money.ts'
import { ROLLUP_COLUMNS, ROLLUP_ON_CONFLICT, rollupSelect } from './token-usage-store.ts'

const ROWS_PER_STATEMENT = 500

/**
 * Counts the Message Batches results of results downloads, inside the caller's transaction.
 * Each (batch, custom id) is claimed in batch_result_usage first; only a result claimed by
 * this statement reaches token_usage and the hourly rollup, so downloading the file again,
 * from this proxy or another, or replaying the record from the spool, counts nothing twice.
 * A result is counted at the time of the download that first reported it.
 */
export async function insertBatchUsage(tx: Kysely<Tables>, records: readonly RequestRecord[]) {
  // Two downloads of one file in the same flush: the earlier one counts it.
  const rows = [
    ...new Map(
      records
        .flatMap((r) => (r.batchResults ?? []).map((b) => toRow(r, b)))
        .reverse()
        .map((row) => [row.request_id, row]),
    ).values(),
  ].reverse()
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const json = JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT))
    await sql`with v as (
        select * from jsonb_to_recordset(${json}::jsonb) as v(batch_id text, custom_id text,
          request_id uuid, download_request_id uuid, timestamp timestamptz, domain text,
          account_id text, model text, input_tokens integer, output_tokens integer,
          cache_creation_input_tokens integer, cache_creation_5m_tokens integer,
          cache_creation_1h_tokens integer, cache_read_input_tokens integer,
          web_search_requests integer, cost_nano_usd bigint, pricing_mode text)
      ), claimed as (
        insert into batch_result_usage
          (batch_id, custom_id, usage_request_id, download_request_id, counted_at)
        select batch_id, custom_id, request_id, download_request_id, timestamp from v
        order by batch_id, custom_id
        on conflict do nothing
        returning usage_request_id
      ), inserted as (
        insert into token_usage (request_id, timestamp, domain, account_id, model,
          request_type, status_code, is_error, input_tokens, output_tokens,
          cache_creation_input_tokens, cache_creation_5m_tokens, cache_creation_1h_tokens,
          cache_read_input_tokens, web_search_requests, cost_nano_usd, pricing_mode)
        select v.request_id, v.timestamp, v.domain, v.account_id, v.model, 'batch', 200, false,
          v.input_tokens, v.output_tokens, v.cache_creation_input_tokens,
          v.cache_creation_5m_tokens, v.cache_creation_1h_tokens, v.cache_read_input_tokens,
          v.web_search_requests, v.cost_nano_usd, v.pricing_mode
        from v join claimed on claimed.usage_request_id = v.request_id
        on conflict do nothing
        returning *
      )
      insert into token_usage_hourly (${sql.raw(ROLLUP_COLUMNS)})
      ${sql.raw(rollupSelect('inserted'))}
      ${sql.raw(ROLLUP_ON_CONFLICT)}`.execute(tx)
  }
}

type BatchResult = NonNullable<RequestRecord['batchResults']>[number]

function toRow(download: RequestRecord, b: BatchResult) {
  return {
    batch_id: b.batchId,
    custom_id: b.customId,
    request_id: batchUsageRequestId(b.batchId, b.customId),
    download_request_id: download.requestId,
    timestamp: download.timestamp,
    domain: download.domain,
    account_id: download.accountId,
    model: b.model,
    input_tokens: b.inputTokens,
    output_tokens: b.outputTokens,
    cache_creation_input_tokens: b.cacheCreationInputTokens,
    cache_creation_5m_tokens: b.cacheCreation5mTokens,
    cache_creation_1h_tokens: b.cacheCreation1hTokens,
    cache_read_input_tokens: b.cacheReadInputTokens,
    web_search_requests: b.webSearchRequests,
    cost_nano_usd: b.costUsd === null ? null : usdToNano(b.costUsd),
    pricing_mode: b.pricingMode,
  }
}
