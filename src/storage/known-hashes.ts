/**
 * Hashes of blobs and list nodes this process has stored, so a continuing turn does not send
 * the database the parts it already has. Bounded (least recently used go first) and trusted
 * only for KNOWN_FOR_MS after the transaction that sent them started: that transaction left
 * the row touched no earlier than an hour before (content-store.ts), and garbage collection
 * deletes only rows untouched for two hours, so for the next hour the row cannot be collected
 * and a request referencing it without sending it is safe. Half of that hour is margin for
 * slow transactions and for the database's clock running ahead of this one.
 */
export class KnownHashes {
  readonly #sentAt = new Map<string, number>()

  constructor(
    private readonly maxEntries = 50_000,
    private readonly knownForMs = KNOWN_FOR_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  now(): number {
    return this.clock()
  }

  /** True when `hash` was stored by a transaction that started within KNOWN_FOR_MS. */
  has(hash: string, now = this.clock()): boolean {
    const at = this.#sentAt.get(hash)
    if (at === undefined) return false
    if (now - at >= this.knownForMs) {
      this.#sentAt.delete(hash)
      return false
    }
    // Most recently used last; the time stays that of the last send.
    this.#sentAt.delete(hash)
    this.#sentAt.set(hash, at)
    return true
  }

  /** Records hashes a committed transaction sent; `startedAt` is when it started. */
  add(hashes: Iterable<string>, startedAt: number): void {
    for (const h of hashes) {
      this.#sentAt.delete(h)
      this.#sentAt.set(h, startedAt)
    }
    for (const oldest of this.#sentAt.keys()) {
      if (this.#sentAt.size <= this.maxEntries) break
      this.#sentAt.delete(oldest)
    }
  }

  get size(): number {
    return this.#sentAt.size
  }
}

/** See KnownHashes: half of TOUCH_INTERVAL (content-store.ts). */
export const KNOWN_FOR_MS = 30 * 60_000
