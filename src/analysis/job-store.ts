import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import type { ConversationAnalysesTable } from '../db/schema.ts'

export type AnalysisStatus = ConversationAnalysesTable['status']

/** A claimed job: what the worker needs to run it and to report back. */
export interface ClaimedJob {
  id: number
  conversationId: string
  branchId: string
  domain: string
  customPrompt: string | null
  /** This attempt's number (1 for the first); completion must name it. */
  attempts: number
}

export interface JobResult {
  result: unknown
  rawText: string | null
  /** Set when the answer was stored as raw text because it did not validate. */
  error: string | null
  provider: string
  model: string
  inputTokens: number
  outputTokens: number
  costUsd: number | null
}

/**
 * Claims up to `limit` due jobs for `workerId`. SKIP LOCKED lets concurrent claimers take
 * disjoint rows without waiting on each other; each claim bumps `attempts`.
 */
export async function claimJobs(
  db: Database,
  workerId: string,
  limit: number,
  now: Date,
): Promise<ClaimedJob[]> {
  if (limit <= 0) return []
  const { rows } = await sql<{
    id: number
    conversation_id: string
    branch_id: string
    domain: string
    custom_prompt: string | null
    attempts: number
  }>`
    update conversation_analyses
    set status = 'processing', attempts = attempts + 1, started_at = ${now},
        locked_by = ${workerId}, updated_at = ${now}
    where id in (
      select id from conversation_analyses
      where status = 'pending' and next_attempt_at <= ${now}
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked)
    returning id, conversation_id, branch_id, domain, custom_prompt, attempts`.execute(db.kysely)
  return rows.map((r) => ({
    id: Number(r.id),
    conversationId: r.conversation_id,
    branchId: r.branch_id,
    domain: r.domain,
    customPrompt: r.custom_prompt,
    attempts: r.attempts,
  }))
}

// Only the claim that is still current may write: a job the watchdog requeued (and another
// worker re-claimed) must not be overwritten by the slow first worker.
const stillOwned = (job: ClaimedJob, workerId: string) =>
  sql<boolean>`id = ${job.id} and status = 'processing' and locked_by = ${workerId} and attempts = ${job.attempts}`

/** Stores the result; false when the claim was lost (requeued by the watchdog meanwhile). */
export async function completeJob(
  db: Database,
  job: ClaimedJob,
  workerId: string,
  out: JobResult,
  now: Date,
): Promise<boolean> {
  const res = await db.kysely
    .updateTable('conversation_analyses')
    .set({
      status: 'completed',
      completed_at: now,
      updated_at: now,
      locked_by: null,
      error: out.error,
      result: out.result === null ? null : JSON.stringify(out.result),
      raw_text: out.rawText,
      provider: out.provider,
      model: out.model,
      input_tokens: out.inputTokens,
      output_tokens: out.outputTokens,
      cost_usd: out.costUsd,
    })
    .where(stillOwned(job, workerId))
    .executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

/**
 * Records a failed attempt: back to `pending` at `retryAt`, or `failed` for good when
 * `retryAt` is null (out of retries, or an error no retry can fix).
 */
export async function failAttempt(
  db: Database,
  job: ClaimedJob,
  workerId: string,
  message: string,
  retryAt: Date | null,
  now: Date,
): Promise<boolean> {
  const res = await db.kysely
    .updateTable('conversation_analyses')
    .set({
      status: retryAt ? 'pending' : 'failed',
      next_attempt_at: retryAt ?? now,
      completed_at: retryAt ? null : now,
      updated_at: now,
      locked_by: null,
      error: message,
    })
    .where(stillOwned(job, workerId))
    .executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

/**
 * The watchdog: jobs in `processing` since before `staleBefore` (their worker died or hung)
 * go back to the queue, or to `failed` when they have used every attempt.
 */
export async function resetStuckJobs(
  db: Database,
  staleBefore: Date,
  maxAttempts: number,
  now: Date,
): Promise<{ requeued: number; failed: number }> {
  const { rows } = await sql<{ status: AnalysisStatus }>`
    update conversation_analyses
    set status = case when attempts >= ${maxAttempts} then 'failed' else 'pending' end,
        error = case when attempts >= ${maxAttempts}
          then 'Failed after ' || attempts || ' attempts: the last one did not finish in time (worker stopped or hung)'
          else 'The previous attempt did not finish in time (worker stopped or hung); requeued' end,
        completed_at = case when attempts >= ${maxAttempts} then ${now}::timestamptz end,
        next_attempt_at = ${now}, locked_by = null, updated_at = ${now}
    where status = 'processing' and started_at < ${staleBefore}
    returning status`.execute(db.kysely)
  const failed = rows.filter((r) => r.status === 'failed').length
  return { requeued: rows.length - failed, failed }
}

/** Pending jobs that already used every attempt (after AI_ANALYSIS_MAX_RETRIES was lowered). */
export async function failExceededJobs(
  db: Database,
  maxAttempts: number,
  now: Date,
): Promise<number> {
  const res = await db.kysely
    .updateTable('conversation_analyses')
    .set({
      status: 'failed',
      completed_at: now,
      updated_at: now,
      error: sql<string>`'Failed after ' || attempts || ' attempts (retry limit reached)'`,
    })
    .where('status', '=', 'pending')
    .where('attempts', '>=', maxAttempts)
    .executeTakeFirst()
  return Number(res.numUpdatedRows)
}

export interface QueueStats {
  counts: Record<AnalysisStatus, number>
  oldestPendingAt: Date | null
}

export async function queueStats(db: Database): Promise<QueueStats> {
  const rows = await db.kysely
    .selectFrom('conversation_analyses')
    .select([
      'status',
      sql<number>`count(*)`.as('n'),
      sql<Date | null>`min(created_at)`.as('oldest'),
    ])
    .groupBy('status')
    .execute()
  const counts = { pending: 0, processing: 0, completed: 0, failed: 0 }
  let oldestPendingAt: Date | null = null
  for (const r of rows) {
    counts[r.status] = Number(r.n)
    if (r.status === 'pending' && r.oldest) oldestPendingAt = new Date(r.oldest)
  }
  return { counts, oldestPendingAt }
}
