import { sql, type SqlBool, type RawBuilder } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { DomainScope } from '../auth/scope.ts'
import { scopeSql } from './scope-sql.ts'
import { BODY_STORAGE_COLUMNS, storedBodyColumn } from '../../storage/content-store.ts'

/** The narrow columns list views read; bodies and headers only ever on the detail view. */
export interface RequestSummary {
  request_id: string
  seq: number
  timestamp: Date
  domain: string
  account_id: string | null
  model: string | null
  request_type: string | null
  method: string
  path: string
  status_code: number | null
  error_type: string | null
  is_streaming: boolean
  stream_end: string | null
  duration_ms: number | null
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
  message_count: number
  tool_call_count: number
  conversation_id: string | null
  branch_id: string | null
  is_subtask: boolean
  cost_usd: number | null
}

export const SUMMARY_COLUMNS = [
  'request_id',
  'seq',
  'timestamp',
  'domain',
  'account_id',
  'model',
  'request_type',
  'method',
  'path',
  'status_code',
  'error_type',
  'is_streaming',
  'stream_end',
  'duration_ms',
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'message_count',
  'tool_call_count',
  'conversation_id',
  'branch_id',
  'is_subtask',
  'cost_usd',
] as const

export interface RequestFilters {
  domain?: string
  model?: string
  type?: string
  /** `ok` (2xx/3xx, no error), `error` (4xx, 5xx, no status or an error such as a dropped
   * stream), or one status code. */
  status?: string
  from?: Date
  to?: Date
  /** Words to find in the last user message, the answer and the error (see 030 migration). */
  q?: string
}

export interface Cursor {
  timestamp: Date
  seq: number
}

export const PAGE_SIZE = 50

/**
 * Newest first, keyset-paginated on (timestamp, seq), so page 1000 costs what page 1 does.
 * A search goes through the search documents (030 migration); see searchSource.
 */
export async function listRequests(
  db: Database,
  scope: DomainScope,
  filters: RequestFilters,
  options: { before?: Cursor; limit?: number } = {},
): Promise<{ rows: RequestSummary[]; next: Cursor | undefined }> {
  const limit = options.limit ?? PAGE_SIZE
  const q = filters.q?.trim()
  const order = q ? 's' : 'a'
  const columns = sql.join(SUMMARY_COLUMNS.map((c) => sql.ref(`a.${c}`)))
  const source = q ? await searchSource(db, q) : { cte: sql``, join: sql`` }
  const before = options.before
    ? sql`and (${sql.ref(`${order}.timestamp`)}, ${sql.ref(`${order}.seq`)}) < (${options.before.timestamp}, ${options.before.seq})`
    : sql``
  const result = await sql<RequestSummary>`
    ${source.cte} select ${columns} from api_requests a ${source.join}
    where ${scopeSql(scope, sql.ref('a.domain'))} and ${filterSql(filters, 'a')} ${before}
    order by ${sql.ref(`${order}.timestamp`)} desc, ${sql.ref(`${order}.seq`)} desc
    limit ${limit + 1}`.execute(db.kysely)
  const rows = result.rows
  const more = rows.length > limit
  const page = more ? rows.slice(0, limit) : rows
  const last = page.at(-1)
  return {
    rows: page,
    next: more && last ? { timestamp: new Date(last.timestamp), seq: Number(last.seq) } : undefined,
  }
}

// Below this many matches a search reads them all through the GIN index and sorts them;
// above, it walks the documents newest first, where matches are then dense enough.
const FEW_MATCHES = 2000

/**
 * The planner cannot tell a rare word from a common one well enough (a word missing from the
 * statistics is guessed at 0.5 % of rows), and the wrong plan reads every document. So the
 * GIN index is asked first, capped, how many documents match; the answer picks the plan.
 */
async function searchSource(db: Database, q: string) {
  const query = sql`websearch_to_tsquery('simple'::regconfig, ${q})`
  const counted = await sql<{ n: number }>`select count(*)::int as n from (
      select 1 from request_search where document @@ ${query} limit ${FEW_MATCHES}) m`.execute(
    db.kysely,
  )
  if ((counted.rows[0]?.n ?? 0) < FEW_MATCHES) {
    return {
      cte: sql`with s as materialized (
        select request_id, timestamp, seq from request_search where document @@ ${query})`,
      join: sql`join s on s.request_id = a.request_id`,
    }
  }
  return {
    cte: sql``,
    join: sql`join request_search s on s.request_id = a.request_id and s.document @@ ${query}`,
  }
}

/** Every filter but the text search (a join, see listRequests), on table alias `t`. */
export function filterSql(f: RequestFilters, t: string): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${t}.${name}`)
  const parts: RawBuilder<SqlBool>[] = []
  if (f.domain) parts.push(sql<SqlBool>`${col('domain')} = ${f.domain}`)
  if (f.model) parts.push(sql<SqlBool>`${col('model')} = ${f.model}`)
  if (f.type) parts.push(sql<SqlBool>`${col('request_type')} = ${f.type}`)
  if (f.status === 'ok') {
    parts.push(sql<SqlBool>`(${col('status_code')} < 400 and ${col('error')} is null)`)
  }
  // Exactly the predicate of the partial index api_requests_errors_idx (migration 065): a
  // stream that failed after its 200 keeps the status and has the error set.
  else if (f.status === 'error') {
    parts.push(
      sql<SqlBool>`(${col('status_code')} >= 400 or ${col('status_code')} is null or ${col('error')} is not null)`,
    )
  } else if (f.status && /^\d{3}$/.test(f.status)) {
    parts.push(sql<SqlBool>`${col('status_code')} = ${Number(f.status)}`)
  }
  if (f.from) parts.push(sql<SqlBool>`${col('timestamp')} >= ${f.from}`)
  if (f.to) parts.push(sql<SqlBool>`${col('timestamp')} < ${f.to}`)
  return parts.length === 0 ? sql<SqlBool>`true` : sql<SqlBool>`(${sql.join(parts, sql` and `)})`
}

export interface RequestDetail extends RequestSummary {
  query: string | null
  error: string | null
  first_token_ms: number | null
  request_headers: unknown
  response_headers: unknown
  body: unknown
  body_bytes: number | null
  response_body: unknown
  response_bytes: number | null
  upstream_request_id: string | null
  /** 'claude-code-import' for rows `nexus import` stored (docs/import.md); null when proxied. */
  source: string | null
  message_id: string | null
  parent_request_id: string | null
  parent_task_request_id: string | null
  current_message_hash: string | null
  parent_message_hash: string | null
  system_hash: string | null
  session_id: string | null
  agent_id: string | null
  auth_source: string | null
}

/** One request with its bodies, or undefined when it does not exist or is outside the scope. */
export async function findRequest(
  db: Database,
  scope: DomainScope,
  requestId: string,
): Promise<RequestDetail | undefined> {
  if (!isUuid(requestId)) return undefined
  const row = await db.kysely
    .selectFrom('api_requests')
    .selectAll()
    // Both row formats read through the one reconstruct path (src/storage/content-store.ts).
    .select(storedBodyColumn())
    .where('request_id', '=', requestId)
    .where(scopeSql(scope))
    .executeTakeFirst()
  if (row === undefined) return undefined
  const { stored_body, ...rest } = row
  for (const c of BODY_STORAGE_COLUMNS) delete (rest as Partial<typeof rest>)[c]
  return { ...rest, body: stored_body } as RequestDetail
}

/** Distinct values for the filter drop-downs, from recent traffic only (cheap on big tables). */
export async function filterChoices(
  db: Database,
  scope: DomainScope,
  since: Date,
): Promise<{ domains: string[]; models: string[]; types: string[] }> {
  const rows = await sql<{ domain: string; model: string | null; request_type: string | null }>`
    select distinct domain, model, request_type from (
      select domain, model, request_type from api_requests
      where timestamp >= ${since} and ${scopeSql(scope)}
      order by timestamp desc limit 20000
    ) recent`.execute(db.kysely)
  const uniq = (values: Array<string | null>) =>
    [...new Set(values.filter((v): v is string => v !== null))].sort()
  return {
    domains: uniq(rows.rows.map((r) => r.domain)),
    models: uniq(rows.rows.map((r) => r.model)),
    types: uniq(rows.rows.map((r) => r.request_type)),
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
}
