import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import type { AnalysisStatus } from './job-store.ts'

/** An analysis as the API returns it. */
export interface AnalysisRow {
  conversationId: string
  branchId: string
  domain: string
  status: AnalysisStatus
  customPrompt: string | null
  attempts: number
  error: string | null
  result: unknown
  rawText: string | null
  provider: string | null
  model: string | null
  inputTokens: number
  outputTokens: number
  costUsd: number | null
  createdAt: string
  updatedAt: string
  completedAt: string | null
}

const COLUMNS = [
  'conversation_id',
  'branch_id',
  'domain',
  'status',
  'custom_prompt',
  'attempts',
  'error',
  'result',
  'raw_text',
  'provider',
  'model',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'created_at',
  'updated_at',
  'completed_at',
] as const

export async function findAnalysis(
  db: Database,
  conversationId: string,
  branchId: string,
): Promise<AnalysisRow | undefined> {
  const row = await db.kysely
    .selectFrom('conversation_analyses')
    .select(COLUMNS)
    .where('conversation_id', '=', conversationId)
    .where('branch_id', '=', branchId)
    .executeTakeFirst()
  if (!row) return undefined
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())
  return {
    conversationId: row.conversation_id,
    branchId: row.branch_id,
    domain: row.domain,
    status: row.status,
    customPrompt: row.custom_prompt,
    attempts: row.attempts,
    error: row.error,
    result: typeof row.result === 'string' ? JSON.parse(row.result) : row.result,
    rawText: row.raw_text,
    provider: row.provider,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    createdAt: iso(row.created_at) ?? '',
    updatedAt: iso(row.updated_at) ?? '',
    completedAt: iso(row.completed_at),
  }
}

export interface AnalysisKey {
  conversationId: string
  branchId: string
  domain: string
}

/**
 * Queues an analysis unless one exists; a `failed` one is queued again (fresh attempts).
 * Returns whether a job was queued by this call.
 */
export async function requestAnalysis(
  db: Database,
  key: AnalysisKey,
  customPrompt: string | null,
  now: Date,
): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    insert into conversation_analyses
      (conversation_id, branch_id, domain, custom_prompt, next_attempt_at, updated_at)
    values (${key.conversationId}, ${key.branchId}, ${key.domain}, ${customPrompt}, ${now}, ${now})
    on conflict (conversation_id, branch_id) do update
      set status = 'pending', attempts = 0, error = null, next_attempt_at = ${now},
          updated_at = ${now}, custom_prompt = ${customPrompt}, completed_at = null
      where conversation_analyses.status = 'failed'
    returning id`.execute(db.kysely)
  return rows.length === 1
}

/**
 * Queues the analysis again whatever its state, unless a worker holds it right now (its
 * result would overwrite the new one): false then.
 */
export async function regenerateAnalysis(
  db: Database,
  key: AnalysisKey,
  customPrompt: string | null,
  now: Date,
): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    insert into conversation_analyses
      (conversation_id, branch_id, domain, custom_prompt, next_attempt_at, updated_at)
    values (${key.conversationId}, ${key.branchId}, ${key.domain}, ${customPrompt}, ${now}, ${now})
    on conflict (conversation_id, branch_id) do update
      set status = 'pending', attempts = 0, error = null, next_attempt_at = ${now},
          updated_at = ${now}, custom_prompt = ${customPrompt}, completed_at = null,
          result = null, raw_text = null
      where conversation_analyses.status <> 'processing'
    returning id`.execute(db.kysely)
  return rows.length === 1
}

export type AuditEvent = 'create' | 'read' | 'regenerate'

export async function audit(
  db: Database,
  entry: AnalysisKey & { event: AuditEvent; outcome: string; actor: string },
  now: Date,
): Promise<void> {
  await db.kysely
    .insertInto('analysis_audit')
    .values({
      at: now,
      event: entry.event,
      outcome: entry.outcome,
      conversation_id: entry.conversationId,
      branch_id: entry.branchId,
      domain: entry.domain,
      actor: entry.actor,
    })
    .execute()
}

/** Jobs a domain queued since `since` (creations and regenerations): the rate limit's count. */
export async function recentCreations(db: Database, domain: string, since: Date): Promise<number> {
  const row = await db.kysely
    .selectFrom('analysis_audit')
    .select(sql<number>`count(*)`.as('n'))
    .where('domain', '=', domain)
    .where('event', 'in', ['create', 'regenerate'])
    .where('outcome', '=', 'queued')
    .where('at', '>=', since)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
