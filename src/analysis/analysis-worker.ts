import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Database } from '../db/database.ts'
import type { Log } from '../log.ts'
import { retryDelayMs } from './backoff.ts'
import {
  claimJobs,
  completeJob,
  failAttempt,
  resetStuckJobs,
  type ClaimedJob,
  type JobResult,
} from './job-store.ts'

/** A failure no retry can fix (the conversation is gone, the key is refused). */
export class PermanentJobError extends Error {}

export interface WorkerSettings {
  pollIntervalMs: number
  maxConcurrentJobs: number
  jobTimeoutMs: number
  maxRetries: number
}

export interface WorkerDeps {
  db: Database
  log: Log
  settings: WorkerSettings
  run: (job: ClaimedJob) => Promise<JobResult>
  clock?: () => number
  random?: () => number
  /** Told after each job ends (the dashboard's live stream). */
  onChange?: (job: ClaimedJob, status: 'processing' | 'completed' | 'pending' | 'failed') => void
  workerId?: string
}

/**
 * The analysis worker: polls the queue, runs up to `maxConcurrentJobs` at once, and runs the
 * watchdog on every tick. Many workers may share one database.
 */
export class AnalysisWorker {
  readonly id: string
  readonly #deps: WorkerDeps
  readonly #running = new Set<Promise<void>>()
  #timer: NodeJS.Timeout | undefined
  #stopped = true
  #ticking: Promise<void> | undefined
  #again = false

  constructor(deps: WorkerDeps) {
    this.#deps = deps
    this.id = deps.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.wake()
  }

  /** Ticks now instead of at the next poll (a job was just queued). */
  wake(): void {
    if (this.#stopped) return
    // A wake during a tick may concern a job that tick's claim did not see: tick again after.
    if (this.#ticking) {
      this.#again = true
      return
    }
    clearTimeout(this.#timer)
    this.#again = false
    this.#ticking = this.tick()
      .then(() => undefined)
      .catch((err) => this.#deps.log.error('analysis worker tick failed', { error: err }))
      .finally(() => {
        this.#ticking = undefined
        if (this.#stopped) return
        if (this.#again) this.wake()
        else this.#timer = setTimeout(() => this.wake(), this.#deps.settings.pollIntervalMs)
      })
  }

  /** Stops claiming and waits for the jobs in hand (SIGTERM drains). */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#ticking
    await Promise.all(this.#running)
  }

  /** One round: the watchdog, then claim into the free slots. Exposed for tests and the CLI. */
  async tick(): Promise<number> {
    const { db, settings } = this.#deps
    const now = this.#now()
    const stuck = await resetStuckJobs(
      db,
      new Date(now.getTime() - settings.jobTimeoutMs),
      settings.maxRetries + 1,
      now,
    )
    if (stuck.requeued + stuck.failed > 0) this.#deps.log.warn('analysis jobs were stuck', stuck)
    const free = settings.maxConcurrentJobs - this.#running.size
    const jobs = await claimJobs(db, this.id, free, now)
    for (const job of jobs) {
      this.#deps.onChange?.(job, 'processing')
      const p = this.#runOne(job).finally(() => {
        this.#running.delete(p)
        this.wake()
      })
      this.#running.add(p)
    }
    return jobs.length
  }

  /** Resolves when nothing runs (tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running)
  }

  async #runOne(job: ClaimedJob): Promise<void> {
    const { db, log, settings } = this.#deps
    try {
      const out = await this.#deps.run(job)
      const kept = await completeJob(db, job, this.id, out, this.#now())
      if (kept) this.#deps.onChange?.(job, 'completed')
      else log.warn('analysis result dropped: the job was requeued meanwhile', { id: job.id })
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      const permanent = err instanceof PermanentJobError
      const last = permanent || job.attempts > settings.maxRetries
      const now = this.#now()
      const retryAt = last
        ? null
        : new Date(now.getTime() + retryDelayMs(job.attempts, this.#deps.random))
      const text =
        last && !permanent ? `Failed after ${job.attempts} attempts: ${message}` : message
      log.warn('analysis attempt failed', { id: job.id, attempt: job.attempts, error: message })
      try {
        if (await failAttempt(db, job, this.id, text, retryAt, now))
          this.#deps.onChange?.(job, retryAt ? 'pending' : 'failed')
      } catch (saveErr) {
        // The watchdog returns the job to the queue when its time is up.
        log.error('could not record a failed analysis attempt', { id: job.id, error: saveErr })
      }
    }
  }

  #now(): Date {
    return new Date((this.#deps.clock ?? Date.now)())
  }
}
