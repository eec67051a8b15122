import { sql, type Kysely } from 'kysely'
import { linkFactColumns } from '../conversations/link-facts.ts'
import type { Database } from '../db/database.ts'
import type { Tables } from '../db/schema.ts'
import { names, unnestRows, type ColumnTypes } from '../db/unnest-rows.ts'
import { insertBatchUsage } from '../usage/batch-usage-store.ts'
import { insertTokenUsage, upsertRateLimits } from '../usage/token-usage-store.ts'
import type { RequestRecord } from './request-record.ts'
import { boundedJson } from './json-depth.ts'
import { bodyExpr, insertContent, storedBodyOf, type StoredBody } from './content-store.ts'
import { PrefixMemo } from './body-prefix.ts'
import { KnownHashes } from './known-hashes.ts'
import { searchTextOf } from './search-text.ts'

// Rows per statement: the writer's and the import's batches are bounded in bytes already
// (byte-batches.ts); this only bounds a caller that is not.
const ROWS_PER_REQUEST_INSERT = 2000
const ROWS_PER_CHUNK_INSERT = 10_000

/** What a store remembers of the content it wrote, to skip work on the next turn. */
export interface ContentMemory {
  /** Content stored recently, not sent again (known-hashes.ts). */
  known: KnownHashes
  /** Bodies split recently, not scanned and hashed again (body-prefix.ts). */
  prefixes: PrefixMemo
}

export const contentMemory = (): ContentMemory => ({
  known: new KnownHashes(),
  prefixes: new PrefixMemo(),
})

/**
 * Inserts records idempotently: a replayed record that is already stored is skipped. With
 * `memory`, content this process stored recently is neither split again nor sent again; what
 * this transaction sent is added to it once it has committed.
 */
export async function insertRequestRecords(
  db: Database,
  records: readonly RequestRecord[],
  memory?: ContentMemory,
) {
  const known = memory?.known
  const bodies = records.map((r) => storedBodyOf(r.bodyJson, memory?.prefixes))
  const startedAt = known?.now() ?? 0
  const sent = await db.kysely.transaction().execute(async (tx) => {
    // Content first: a request row never references a blob or node that is not there.
    const sent = await insertContent(tx, bodies, known)
    for (let i = 0; i < records.length; i += ROWS_PER_REQUEST_INSERT) {
      const slice = records.slice(i, i + ROWS_PER_REQUEST_INSERT)
      await insertRequests(tx, slice, bodies.slice(i, i + ROWS_PER_REQUEST_INSERT))
    }
    const chunks = records.flatMap((r) =>
      r.chunks.map((c) => ({
        request_id: r.requestId,
        chunk_index: c.index,
        offset_ms: c.offsetMs,
        data: c.data,
      })),
    )
    for (let i = 0; i < chunks.length; i += ROWS_PER_CHUNK_INSERT) {
      await tx
        .insertInto('streaming_chunks')
        .values(chunks.slice(i, i + ROWS_PER_CHUNK_INSERT))
        .onConflict((oc) => oc.doNothing())
        .execute()
    }
    // Usage is part of the same transaction: a request is counted exactly when it is stored.
    await insertTokenUsage(tx, records)
    await insertBatchUsage(tx, records)
    await upsertRateLimits(tx, records)
    return sent
  })
  known?.add(sent, startedAt)
}

// The rows and, for the rows actually inserted (a replay inserts none), their search
// documents, in one statement. Rows keep their order: `seq` follows it (a session's calls
// before its sub-agents', which the linker relies on).
async function insertRequests(
  tx: Kysely<Tables>,
  records: readonly RequestRecord[],
  bodies: readonly StoredBody[],
) {
  const rows = records.map((r, i) => toRow(r, bodies[i] ?? storedBodyOf(r.bodyJson)))
  await sql`with v as (${unnestRows(rows, ROW_TYPES)}),
    inserted as (
      insert into api_requests (${names(STORED)}, body_list)
      select ${names(STORED, 'v.')}, decode(v.body_list_hex, 'hex')
      from v order by v.ord
      on conflict do nothing
      returning request_id, timestamp, seq)
    insert into request_search (request_id, timestamp, seq, document)
    select i.request_id, i.timestamp, i.seq, to_tsvector('simple'::regconfig, v.search_text)
    from inserted i join v on v.request_id = i.request_id
    where v.search_text is not null
    on conflict (request_id) do nothing`.execute(tx)
  const untexted = records.filter((r) => r.searchText === undefined).map((r) => r.requestId)
  if (untexted.length > 0) await deriveSearchDocuments(tx, untexted)
}

// Records spooled by a version that did not build search texts: derived from the bodies.
async function deriveSearchDocuments(tx: Kysely<Tables>, requestIds: string[]) {
  await sql`insert into request_search (request_id, timestamp, seq, document)
    select r.request_id, r.timestamp, r.seq, to_tsvector('simple'::regconfig,
      coalesce(nexus_search_text(${bodyExpr('r')}, r.response_body, r.error), ''))
    from api_requests r where r.request_id = any(${requestIds}::uuid[])
    on conflict (request_id) do nothing`.execute(tx)
}

export async function pingDatabase(db: Database): Promise<void> {
  await sql`select 1`.execute(db.kysely)
}

function toRow(r: RequestRecord, stored: StoredBody) {
  return {
    request_id: r.requestId,
    timestamp: r.timestamp,
    domain: r.domain,
    account_id: r.accountId,
    auth_source: r.authSource,
    method: r.method,
    path: r.path,
    query: r.query,
    model: r.model,
    request_type: r.requestType,
    is_streaming: r.isStreaming,
    status_code: r.statusCode,
    error: r.error,
    error_type: r.errorType,
    stream_end: r.streamEnd,
    duration_ms: r.durationMs,
    first_token_ms: r.firstTokenMs,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cache_creation_input_tokens: r.cacheCreationInputTokens,
    cache_read_input_tokens: r.cacheReadInputTokens,
    // Absent in records spooled before usage accounting existed.
    cache_creation_5m_tokens: r.cacheCreation5mTokens ?? r.cacheCreationInputTokens,
    cache_creation_1h_tokens: r.cacheCreation1hTokens ?? 0,
    web_search_requests: r.webSearchRequests ?? 0,
    cost_usd: r.costUsd ?? null,
    pricing_mode: r.pricingMode ?? null,
    // Every billed token, cache included: the one "total" of docs/usage-api.md.
    total_tokens:
      r.inputTokens + r.outputTokens + r.cacheCreationInputTokens + r.cacheReadInputTokens,
    request_headers: JSON.stringify(r.requestHeaders),
    response_headers: r.responseHeaders ? JSON.stringify(r.responseHeaders) : null,
    // Bounded (storedBodyOf), so records spooled before the bound existed are bounded too.
    body: stored.body,
    // The head node's hash as hex (decoded to bytea in the insert).
    body_list_hex: stored.body_list,
    body_tail: stored.body_tail,
    body_bytes: r.bodyBytes,
    response_body: boundedJson(r.responseJson),
    response_bytes: r.responseBytes,
    message_count: r.messageCount,
    tool_call_count: r.toolCallCount,
    upstream_request_id: r.upstreamRequestId,
    session_id: r.sessionId,
    agent_id: r.agentId,
    source: r.source ?? null,
    message_id: r.messageId ?? null,
    ...linkFactColumns(r.linkFactsVersion ?? null, r.linkFacts ?? null),
    // Not a column: the text of its search document (null: derived from the bodies).
    search_text: r.searchText ?? null,
  }
}

type Row = ReturnType<typeof toRow>

// The type of every field of a row (the compiler checks that none is missing).
const ROW_TYPES: ColumnTypes<Row> = {
  request_id: 'uuid',
  timestamp: 'timestamptz',
  domain: 'text',
  account_id: 'text',
  auth_source: 'text',
  method: 'text',
  path: 'text',
  query: 'text',
  model: 'text',
  request_type: 'text',
  is_streaming: 'boolean',
  status_code: 'integer',
  error: 'text',
  error_type: 'text',
  stream_end: 'text',
  duration_ms: 'integer',
  first_token_ms: 'integer',
  input_tokens: 'integer',
  output_tokens: 'integer',
  cache_creation_input_tokens: 'integer',
  cache_read_input_tokens: 'integer',
  cache_creation_5m_tokens: 'integer',
  cache_creation_1h_tokens: 'integer',
  web_search_requests: 'integer',
  cost_usd: 'numeric',
  pricing_mode: 'text',
  total_tokens: 'integer',
  request_headers: 'jsonb',
  response_headers: 'jsonb',
  body: 'jsonb',
  body_tail: 'text',
  body_bytes: 'integer',
  response_body: 'jsonb',
  response_bytes: 'integer',
  message_count: 'integer',
  tool_call_count: 'integer',
  upstream_request_id: 'text',
  session_id: 'text',
  agent_id: 'text',
  source: 'text',
  message_id: 'text',
  link_facts_version: 'smallint',
  current_message_hash: 'text',
  parent_message_hash: 'text',
  grandparent_message_hash: 'text',
  system_hash: 'text',
  subagent_prompt_hash: 'text',
  compaction_format: 'text',
  compaction_session_id: 'text',
  compaction_summary_hash: 'text',
  asks_compaction: 'boolean',
  body_list_hex: 'text',
  search_text: 'text',
}

// The fields stored as they are: all but the list head (hex) and the search text.
const STORED = Object.keys(ROW_TYPES).filter((f) => f !== 'body_list_hex' && f !== 'search_text')

// SQLSTATE classes that mean "this data cannot be stored", not "the database is away":
// data exceptions (22, e.g. a NUL in JSON), integrity (23), program limits (54).
const DATA_ERROR = /^(22|23|54)/

function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && DATA_ERROR.test(code)
}

/**
 * The writer's view of the database. A record the database refuses for its content is
 * stored without its bodies (and says why) rather than blocking the records behind it.
 */
export function createRecordStore(db: Database, memory = contentMemory()) {
  return {
    async insert(records: readonly RequestRecord[]) {
      try {
        await insertRequestRecords(db, records, memory)
      } catch (err) {
        if (!isDataError(err)) throw err
        for (const record of records) await insertOneQuarantined(db, record, memory)
      }
    },
    ping: () => pingDatabase(db),
  }
}

async function insertOneQuarantined(db: Database, record: RequestRecord, memory: ContentMemory) {
  try {
    await insertRequestRecords(db, [record], memory)
  } catch (err) {
    if (!isDataError(err)) throw err
    const reason = `body not storable: ${(err as Error).message}`
    await insertRequestRecords(
      db,
      [
        {
          ...record,
          bodyJson: null,
          responseJson: null,
          chunks: [],
          error: record.error ?? reason,
          searchText: searchTextOf(null, null, record.error ?? reason),
        },
      ],
      memory,
    )
  }
}
