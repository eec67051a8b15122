import type { Log } from '../log.ts'
import { linkBatch } from './link-batch.ts'
import type { ConversationStore } from './store-ports.ts'

export const DEFAULT_BATCH_SIZE = 500

export interface LinkProgress {
  /** Requests read and marked linked (linked or not linkable). */
  linked: number
  /** Another process held the lock: its linker is doing the work. */
  busy: boolean
}

/**
 * Links every stored request that is not linked yet, in seq order, one transaction per batch.
 * Stops early (busy) when another process is linking.
 */
export async function linkPending(
  store: ConversationStore,
  batchSize = DEFAULT_BATCH_SIZE,
): Promise<LinkProgress> {
  let linked = 0
  for (;;) {
    const read = await store.tryLinking((tx) => linkBatch(tx, batchSize))
    if (read === undefined) return { linked, busy: true }
    linked += read
    if (read < batchSize) return { linked, busy: false }
  }
}

export interface LinkerOptions {
  store: ConversationStore
  log: Log
  /** How often to look for requests other processes stored. */
  pollIntervalMs?: number
  /** How soon to try again when another process held the lock. */
  busyRetryMs?: number
  batchSize?: number
}

/**
 * The background loop that keeps conversations linked, off the proxy's hot path: woken when
 * this process stores requests (StorageWriter's onStored) and polling for the ones other
 * processes store. Several processes may run one; the lock lets one link at a time.
 */
export class ConversationLinker {
  #wake: (() => void) | undefined
  #woken = false
  #stopping = false
  #running: Promise<void> | undefined
  #failing = false

  constructor(private readonly options: LinkerOptions) {}

  start(): void {
    this.#stopping = false
    this.#running ??= this.#loop()
  }

  /** Asks for a pass as soon as the current one (if any) ends. */
  wake(): void {
    this.#woken = true
    this.#wake?.()
  }

  /** Finishes the batch in progress and stops; unlinked requests wait for the next start. */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#wake?.()
    await this.#running
    this.#running = undefined
  }

  async #loop(): Promise<void> {
    const { pollIntervalMs = 1000, busyRetryMs = 100 } = this.options
    let delay = 0
    while (!this.#stopping) {
      await this.#sleep(delay)
      if (this.#stopping) return
      this.#woken = false
      delay = (await this.#pass()) ? busyRetryMs : pollIntervalMs
    }
  }

  /** One pass; true when it should be retried soon. */
  async #pass(): Promise<boolean> {
    try {
      const { busy } = await linkPending(this.options.store, this.options.batchSize)
      if (this.#failing) this.options.log.info('conversation linking resumed')
      this.#failing = false
      return busy
    } catch (err) {
      if (!this.#failing)
        this.options.log.warn('conversation linking failed; will retry', { error: err })
      this.#failing = true
      return false
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken || ms === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#wake = done
    })
  }
}
