import type { Log } from '../log.ts'
import { byteBatches, MAX_QUEUE_BYTES, queueBytes } from './byte-batches.ts'
import type { RequestRecord } from './request-record.ts'
import type { Spool } from './spool.ts'

export interface RecordStore {
  insert(records: readonly RequestRecord[]): Promise<void>
  ping(): Promise<void>
}

export interface WriterSettings {
  batchSize: number
  flushIntervalMs: number
  writeTimeoutMs: number
  maxQueue: number
  retryIntervalMs: number
  /** Default MAX_QUEUE_BYTES (byte-batches.ts). */
  maxQueueBytes?: number
}

export interface WriterStats {
  queued: number
  stored: number
  spooled: number
  replayed: number
  degraded: boolean
}

/**
 * Takes records from the proxy without ever making it wait, and gets every one into the
 * database: in batches while the database keeps up, through the on-disk spool while it is
 * slow or down, in arrival order either way.
 */
export class StorageWriter {
  #queue: RequestRecord[] = []
  #wake: (() => void) | undefined
  #running: Promise<void> | undefined
  #stopping = false
  #degraded = false
  readonly #stats = { stored: 0, spooled: 0, replayed: 0 }

  constructor(
    private readonly deps: {
      store: RecordStore
      spool: Spool
      log: Log
      settings: WriterSettings
      onStored?: (records: readonly RequestRecord[]) => void
    },
  ) {}

  enqueue(record: RequestRecord): void {
    this.#queue.push(record)
    if (this.#queue.length >= this.deps.settings.batchSize) this.#wake?.()
  }

  start(): void {
    this.#running ??= this.#pump()
  }

  /** Writes out everything queued (to the database, or to the spool if it is down) and stops. */
  async drain(): Promise<void> {
    this.#stopping = true
    this.#wake?.()
    await this.#running
    this.#running = undefined
  }

  stats(): WriterStats {
    return { queued: this.#queue.length, degraded: this.#degraded, ...this.#stats }
  }

  async #pump(): Promise<void> {
    for (;;) {
      if (!this.#stopping) await this.#sleep(this.deps.settings.flushIntervalMs)
      if (!this.deps.spool.isEmpty()) {
        if (this.#stopping) return this.#spoolQueue()
        await this.#recover()
        continue
      }
      await this.#flushQueue()
      if (this.#stopping && this.#queue.length === 0) return
    }
  }

  async #flushQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.deps.settings.batchSize)
      try {
        await this.#insert(batch)
        this.#stats.stored += batch.length
        this.#leaveDegraded()
        // The database falls behind: the rest waits on disk, replayed in order, not in memory.
        if (queueBytes(this.#queue) > this.#maxQueueBytes) return this.#spoolQueue()
      } catch (err) {
        this.#enterDegraded(err)
        await this.deps.spool.append([...batch, ...this.#queue.splice(0)])
        this.#stats.spooled += batch.length
        return
      }
    }
  }

  async #recover(): Promise<void> {
    await this.#spoolQueue()
    try {
      await withTimeout(this.deps.store.ping(), this.deps.settings.writeTimeoutMs)
    } catch {
      await this.#sleep(this.deps.settings.retryIntervalMs)
      return
    }
    await this.deps.spool.rotate()
    const closed = await this.deps.spool.segments()
    try {
      for (const segment of closed) {
        for await (const batch of this.deps.spool.readBatches(
          segment,
          this.deps.settings.batchSize,
        )) {
          await this.#insert(batch)
          this.#stats.replayed += batch.length
          // Keep memory bounded during a long replay; later records queue behind on disk.
          if (
            this.#queue.length >= this.deps.settings.maxQueue ||
            queueBytes(this.#queue) > this.#maxQueueBytes
          )
            await this.#spoolQueue()
        }
        await this.deps.spool.remove(segment)
      }
      this.#leaveDegraded()
    } catch (err) {
      this.#enterDegraded(err)
      await this.#sleep(this.deps.settings.retryIntervalMs)
    }
  }

  async #spoolQueue(): Promise<void> {
    const pending = this.#queue.splice(0)
    await this.deps.spool.append(pending)
    this.#stats.spooled += pending.length
  }

  // A few MB per statement bounds the database's memory (byte-batches.ts). A failure after
  // some parts leaves them stored; the whole batch is spooled and replayed, and inserts skip
  // what is already there.
  async #insert(batch: readonly RequestRecord[]): Promise<void> {
    for (const part of byteBatches(batch)) {
      await withTimeout(this.deps.store.insert(part), this.deps.settings.writeTimeoutMs)
      this.deps.onStored?.(part)
    }
  }

  #enterDegraded(err: unknown) {
    if (!this.#degraded) {
      this.deps.log.warn('database unavailable; spooling requests to disk', { error: err })
    }
    this.#degraded = true
  }

  #leaveDegraded() {
    if (this.#degraded) this.deps.log.info('database is back; storage resumed')
    this.#degraded = false
  }

  get #maxQueueBytes(): number {
    return this.deps.settings.maxQueueBytes ?? MAX_QUEUE_BYTES
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = done
    })
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database write timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
