/**
 * Buffers for `/metrics` answers, reused once an answer has been sent. With domain labels a
 * scrape is over 1 MB, and writing it into freshly allocated memory costs more than
 * rendering it (the pages are new to the process each time: docs/benchmarks.md#metrics).
 * A buffer is handed out to one answer at a time; concurrent scrapes get buffers of their own.
 */
export class ScrapeBuffers {
  readonly #free: Buffer[] = []

  constructor(readonly keep = 2) {}

  /** A buffer of at least `size` bytes, not zeroed, owned by the caller until `give`. */
  take(size: number): Buffer {
    const i = this.#free.findIndex((b) => b.length >= size)
    if (i >= 0) return this.#free.splice(i, 1)[0]!
    // Room to grow: the next scrapes are a little larger as new series appear.
    return Buffer.allocUnsafeSlow(Math.ceil(size * 1.25))
  }

  give(buffer: Buffer): void {
    if (this.#free.length < this.keep) this.#free.push(buffer)
  }
}
