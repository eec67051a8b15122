import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { openPostgres, type Database } from '../db/database.ts'
import { silentLog } from '../log.ts'
import { describeEachDatabase, testDatabaseUrl } from '../../test-support/test-database.ts'
import { findAnalysis, requestAnalysis } from './analysis-store.ts'
import { AnalysisWorker, PermanentJobError, type WorkerSettings } from './analysis-worker.ts'
import {
  claimJobs,
  failExceededJobs,
  queueStats,
  type ClaimedJob,
  type JobResult,
} from './job-store.ts'

const settings: WorkerSettings = {
  pollIntervalMs: 5,
  maxConcurrentJobs: 4,
  jobTimeoutMs: 60_000,
  maxRetries: 2,
}

const result = (job: ClaimedJob): JobResult => ({
  result: { summary: `done ${job.conversationId}` },
  rawText: null,
  error: null,
  provider: 'test',
  model: 'm',
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0.001,
})

async function queue(db: Database, n: number, domain = 'a.test'): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const conversationId = randomUUID()
    ids.push(conversationId)
    await requestAnalysis(db, { conversationId, branchId: 'main', domain }, null, new Date(0))
  }
  return ids
}

async function waitUntil(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describeEachDatabase('analysis worker', ({ db, backend, schema }) => {
  test('two workers on one database run each of 50 jobs exactly once', async () => {
    const ids = await queue(db(), 50)
    // On PostgreSQL the second worker has its own pool: two instances sharing one database.
    const other =
      backend === 'postgres' ? openPostgres({ url: testDatabaseUrl(), schema: schema()! }) : db()
    const runs = new Map<string, string[]>()
    const run = (who: string) => async (job: ClaimedJob) => {
      runs.set(job.conversationId, [...(runs.get(job.conversationId) ?? []), who])
      await new Promise((r) => setTimeout(r, 5))
      return result(job)
    }
    const a = new AnalysisWorker({
      db: db(),
      log: silentLog,
      settings,
      run: run('a'),
      workerId: 'a',
    })
    const b = new AnalysisWorker({
      db: other,
      log: silentLog,
      settings,
      run: run('b'),
      workerId: 'b',
    })
    a.start()
    b.start()
    await waitUntil(async () => (await queueStats(db())).counts.completed >= 50, '50 completed')
    await Promise.all([a.stop(), b.stop()])
    if (other !== db()) await other.close()
    assert.equal(runs.size, 50)
    for (const id of ids)
      assert.equal(runs.get(id)?.length, 1, `job ${id} ran ${runs.get(id)?.length} times`)
    const byWorker = [...runs.values()].flat()
    assert.ok(byWorker.includes('a') && byWorker.includes('b'), 'both workers took jobs')
    const stats = await queueStats(db())
    assert.deepEqual(stats.counts, { pending: 0, processing: 0, completed: 50, failed: 0 })
    const one = await findAnalysis(db(), ids[0]!, 'main')
    assert.deepEqual(one?.result, { summary: `done ${ids[0]}` })
    assert.equal(one?.attempts, 1)
  })

  test('a failing job is retried with backoff, then failed with the reason', async () => {
    const [id] = await queue(db(), 1, 'retry.test')
    let now = Date.parse('2026-01-01T00:00:00Z')
    let calls = 0
    const w = new AnalysisWorker({
      db: db(),
      log: silentLog,
      settings,
      clock: () => now,
      random: () => 0.5,
      workerId: 'r',
      run: async () => {
        calls++
        throw new Error('429 rate_limit_error: slow down')
      },
    })
    assert.equal(await w.tick(), 1)
    await w.idle()
    let row = await findAnalysis(db(), id!, 'main')
    assert.equal(row?.status, 'pending')
    assert.equal(row?.error, '429 rate_limit_error: slow down')
    // Not due yet: the first retry waits 3.75 s (5 s base, jitter 0.5).
    now += 3_000
    assert.equal(await w.tick(), 0)
    now += 1_000
    assert.equal(await w.tick(), 1)
    await w.idle()
    now += 60_000
    assert.equal(await w.tick(), 1)
    await w.idle()
    row = await findAnalysis(db(), id!, 'main')
    assert.equal(calls, 3)
    assert.equal(row?.status, 'failed')
    assert.equal(row?.attempts, 3)
    assert.equal(row?.error, 'Failed after 3 attempts: 429 rate_limit_error: slow down')
    now += 3_600_000
    assert.equal(await w.tick(), 0, 'a failed job is not claimed again')
  })

  test('a permanent error fails at once; a failed analysis can be requested again', async () => {
    const [id] = await queue(db(), 1, 'perm.test')
    const w = new AnalysisWorker({
      db: db(),
      log: silentLog,
      settings,
      workerId: 'p',
      run: async () => {
        throw new PermanentJobError('Conversation has no requests on branch main')
      },
    })
    await w.tick()
    await w.idle()
    const row = await findAnalysis(db(), id!, 'main')
    assert.equal(row?.status, 'failed')
    assert.equal(row?.error, 'Conversation has no requests on branch main')
    const key = { conversationId: id!, branchId: 'main', domain: 'perm.test' }
    assert.equal(await requestAnalysis(db(), key, null, new Date()), true)
    const again = await findAnalysis(db(), id!, 'main')
    assert.equal(again?.status, 'pending')
    assert.equal(again?.attempts, 0)
    assert.equal(
      await requestAnalysis(db(), key, null, new Date()),
      false,
      'pending: returned as is',
    )
  })

  test('the watchdog requeues a job whose worker vanished; its late result is dropped', async () => {
    const [id] = await queue(db(), 1, 'stuck.test')
    const t0 = Date.parse('2026-02-01T00:00:00Z')
    const [lost] = await claimJobs(db(), 'gone', 1, new Date(t0))
    assert.equal(lost?.conversationId, id)
    let now = t0 + 30_000
    const w = new AnalysisWorker({
      db: db(),
      log: silentLog,
      settings,
      clock: () => now,
      workerId: 'live',
      run: async (job) => result(job),
    })
    assert.equal(await w.tick(), 0, 'still within the job timeout')
    now = t0 + 61_000
    assert.equal(await w.tick(), 1)
    await w.idle()
    const row = await findAnalysis(db(), id!, 'main')
    assert.equal(row?.status, 'completed')
    assert.equal(row?.attempts, 2)
    const { completeJob } = await import('./job-store.ts')
    assert.equal(await completeJob(db(), lost!, 'gone', result(lost!), new Date(now)), false)
  })

  test('fail-exceeded fails pending jobs that used every attempt', async () => {
    const [id] = await queue(db(), 1, 'exceeded.test')
    const t0 = new Date('2026-03-01T00:00:00Z')
    const jobs = await claimJobs(db(), 'x', 10, t0)
    const mine = jobs.find((j) => j.conversationId === id)!
    const { failAttempt } = await import('./job-store.ts')
    await failAttempt(db(), mine, 'x', 'boom', new Date(t0.getTime() + 1000), t0)
    assert.ok((await failExceededJobs(db(), 1, t0)) >= 1)
    const row = await findAnalysis(db(), id!, 'main')
    assert.equal(row?.status, 'failed')
    assert.equal(row?.error, 'Failed after 1 attempts (retry limit reached)')
  })
})
