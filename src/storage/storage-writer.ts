import type { Log } from '../log.ts'
import { insertIsolating, withTimeout, type RecordStore } from './isolating-insert.ts'
import type { Quarantine } from './quarantine.ts'
import { MAX_BATCH_BYTES } from './byte-batches.ts'
import type { RequestRecord } from './request-record.ts'
import type { Spool } from './spool.ts'

export type { RecordStore } from './isolating-insert.ts'

export interface WriterSettings {
  batchSize: number
  flushIntervalMs: number
  writeTimeoutMs: number
  maxQueue: number
  maxQueueBytes: number
  retryIntervalMs: number
}

export interface WriterStats {
  /** Records in memory, waiting for the database. */
  queued: number
  /** Records whose batch insert committed (first try). */
  stored: number
  /** Records written to the spool. */
  spooled: number
  /** Spooled records whose replay committed (some may have been stored already). */
  replayed: number
  /** Records in the quarantine file. */
  quarantined: number
  spoolBytes: number
  spoolRecords: number
  degraded: boolean
}

interface Pending {
  record: RequestRecord
  at: number
  bytes: number
}

/**
 * Takes records from the proxy without ever making it wait, and gets every one into the
 * database: in batches while the database keeps up, through the on-disk spool while it is
 * slow or down, in arrival order either way. A record not committed within half a flush
 * interval of arriving is synced to the spool, so a crash loses none that completed.
 */
export class StorageWriter {
  #queue: Pending[] = []
  #queueBytes = 0
  #inFlight: { records: RequestRecord[]; at: number; spooled: boolean } | undefined
  #wake: (() => void) | undefined
  #running: Promise<void> | undefined
  #guard: NodeJS.Timeout | undefined
  #stopping = false
  #degraded = false
  readonly #stats = { stored: 0, spooled: 0, replayed: 0 }
  readonly #clock: () => number

  constructor(
    private readonly deps: {
      store: RecordStore
      spool: Spool
      quarantine: Quarantine
      log: Log
      settings: WriterSettings
      clock?: () => number
      onStored?: (records: readonly RequestRecord[]) => void
      /** How long each batch insert took, committed or not (the write latency metric). */
      onWrite?: (ms: number) => void
    },
  ) {
    this.#clock = deps.clock ?? Date.now
  }

  enqueue(record: RequestRecord): void {
    const bytes = recordBytes(record)
    this.#queue.push({ record, at: this.#clock(), bytes })
    this.#queueBytes += bytes
    const { batchSize, maxQueue, maxQueueBytes } = this.deps.settings
    // Beyond the bound the backlog lives on disk, not in memory.
    if (this.#queue.length > maxQueue || this.#queueBytes > maxQueueBytes) void this.#spoolQueue()
    else if (this.#queue.length >= batchSize) this.#wake?.()
  }

  start(): void {
    this.#running ??= this.#pump()
    const every = Math.max(1, Math.floor(this.deps.settings.flushIntervalMs / 4))
    this.#guard ??= setInterval(() => this.#spoolLate(), every).unref()
  }

  /** Writes out everything queued (to the database, or to the spool if it is down) and stops. */
  async drain(): Promise<void> {
    this.#stopping = true
    this.#wake?.()
    await this.#running
    this.#running = undefined
    clearInterval(this.#guard)
    this.#guard = undefined
    await this.deps.spool.settled()
  }

  stats(): WriterStats {
    return {
      queued: this.#queue.length,
      degraded: this.#degraded,
      quarantined: this.deps.quarantine.count(),
      spoolBytes: this.deps.spool.bytes(),
      spoolRecords: this.deps.spool.records(),
      ...this.#stats,
    }
  }

  async #pump(): Promise<void> {
    for (;;) {
      if (!this.#stopping) await this.#sleep(this.deps.settings.flushIntervalMs / 2)
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
    // Once anything is spooled, later records follow it there to keep arrival order.
    while (this.#queue.length > 0 && this.deps.spool.isEmpty()) {
      const flight = { records: this.#takeBatch(), at: 0, spooled: false }
      flight.at = this.#clock()
      this.#inFlight = flight
      try {
        const stored = await this.#insert(flight.records)
        this.#stored(stored)
        this.#stats.stored += stored.length
        this.#leaveDegraded()
      } catch (err) {
        this.#enterDegraded(err)
        if (!flight.spooled) void this.#spool(flight.records)
        void this.#spoolQueue()
        return
      } finally {
        this.#inFlight = undefined
      }
    }
  }

  async #recover(): Promise<void> {
    void this.#spoolQueue()
    try {
      await withTimeout(this.deps.store.ping(), this.deps.settings.writeTimeoutMs)
    } catch {
      await this.#sleep(this.deps.settings.retryIntervalMs)
      return
    }
    const closed = await this.deps.spool.rotate()
    try {
      for (const segment of closed) {
        const batches = this.deps.spool.readBatches(segment, this.deps.settings.batchSize)
        for await (const batch of batches) {
          this.#stored(await this.#insert(batch))
          this.#stats.replayed += batch.length
        }
        await this.deps.spool.remove(segment)
      }
      this.#leaveDegraded()
    } catch (err) {
      this.#enterDegraded(err)
      await this.#sleep(this.deps.settings.retryIntervalMs)
    }
  }

  // Runs every quarter flush interval: a record older than half an interval that the
  // database has not committed goes to the spool (the batch in flight first: it is older).
  #spoolLate(): void {
    const cutoff = this.#clock() - this.deps.settings.flushIntervalMs / 2
    const flight = this.#inFlight
    if (flight && !flight.spooled && flight.at <= cutoff) {
      flight.spooled = true
      void this.#spool(flight.records)
      void this.#spoolQueue()
    } else if ((this.#queue[0]?.at ?? Infinity) <= cutoff) {
      void this.#spoolQueue()
    }
  }

  #spoolQueue(): Promise<void> {
    return this.#spool(this.#take(this.#queue.length))
  }

  #spool(records: RequestRecord[]): Promise<void> {
    return this.deps.spool.append(records).then(
      () => void (this.#stats.spooled += records.length),
      (err: unknown) => this.deps.log.error('could not write to the spool', { error: err }),
    )
  }

  // A few MB per statement bounds the database's memory: PGlite's heap grows with the
  // largest statement and never shrinks (byte-batches.ts). A larger record goes alone.
  #takeBatch(): RequestRecord[] {
    let count = 0
    let bytes = 0
    for (const p of this.#queue) {
      if (count >= this.deps.settings.batchSize) break
      if (count > 0 && bytes + p.bytes > MAX_BATCH_BYTES) break
      bytes += p.bytes
      count++
    }
    return this.#take(count)
  }

  #take(count: number): RequestRecord[] {
    const taken = this.#queue.splice(0, count)
    for (const p of taken) this.#queueBytes -= p.bytes
    return taken.map((p) => p.record)
  }

  #stored(records: readonly RequestRecord[]) {
    if (records.length > 0) this.deps.onStored?.(records)
  }

  async #insert(records: RequestRecord[]): Promise<RequestRecord[]> {
    const t0 = performance.now()
    try {
      return await insertIsolating(this.#insertDeps(), records)
    } finally {
      this.deps.onWrite?.(performance.now() - t0)
    }
  }

  #insertDeps() {
    return {
      store: this.deps.store,
      quarantine: this.deps.quarantine,
      log: this.deps.log,
      timeoutMs: this.deps.settings.writeTimeoutMs,
      clock: this.#clock,
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

// What a queued record holds on to, roughly: its bodies and chunks dominate.
function recordBytes(r: RequestRecord): number {
  let bytes = 1024 + (r.bodyJson?.length ?? 0) + (r.responseJson?.length ?? 0)
  for (const c of r.chunks) bytes += c.data.length
  return bytes
}
