import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { MAX_BATCH_BYTES } from './byte-batches.ts'
import type { RequestRecord } from './request-record.ts'

const SEGMENT_PATTERN = /^(\d{12})\.jsonl$/
// Segments are rotated at this size so that replay reads bounded pieces.
const MAX_SEGMENT_BYTES = 32 * 1024 * 1024
const NEWLINE = Buffer.from('\n')

/**
 * Append-only on-disk queue of records the database has not committed. Records are written
 * to the open (highest numbered) segment; replay reads closed segments oldest first, so the
 * order in which requests arrived is the order in which they reach the database. Every
 * change runs in one chain, so appends land in call order and a rotation or removal never
 * interleaves with a write.
 */
export class Spool {
  readonly #dir: string
  #open: number | undefined
  #openBytes = 0
  #bytes = 0
  #hasData = false
  // Each record as its UTF-8 line: a 1 MB body is 1 MB here, not a UTF-16 string of up to
  // twice that, and no text of the whole backlog is ever joined (a queue of 1 MB requests
  // spooled at once made one string of tens of MB, then its bytes again to write it).
  #pending: Buffer[] = []
  #pendingRecords = 0
  // Records per segment on disk, so a removed segment takes its count with it.
  readonly #records = new Map<number, number>()
  #chain: Promise<unknown> = Promise.resolve()

  constructor(dir: string) {
    this.#dir = dir
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 })
    const segments = await this.segments()
    const sizes = await Promise.all(segments.map(async (s) => (await stat(this.#path(s))).size))
    this.#open = segments.at(-1)
    this.#hasData = segments.length > 0
    this.#openBytes = sizes.at(-1) ?? 0
    this.#bytes = sizes.reduce((a, b) => a + b, 0)
    for (const s of segments) this.#records.set(s, await countLines(this.#path(s)))
  }

  /**
   * Writes records and syncs them to disk; resolves once they would survive a crash. The
   * spool counts as holding data from the call on, so the writer sends later records after
   * these rather than past them.
   */
  append(records: readonly RequestRecord[]): Promise<void> {
    if (records.length === 0) return this.settled()
    this.#hasData = true
    for (const r of records) this.#pending.push(Buffer.from(JSON.stringify(r)), NEWLINE)
    this.#pendingRecords += records.length
    return this.#serial(() => this.#writePending())
  }

  // Group commit: the first queued step writes and syncs everything appended so far, in one
  // write, and the steps behind it find nothing left. Under load that is one sync per
  // round trip of the disk rather than one per append.
  async #writePending(): Promise<void> {
    if (this.#pending.length === 0) return
    const lines = this.#pending
    const count = this.#pendingRecords
    this.#pending = []
    this.#pendingRecords = 0
    if (this.#open === undefined || this.#openBytes > MAX_SEGMENT_BYTES) await this.#rotate()
    const file = await open(this.#path(this.#open!), 'a', 0o600)
    try {
      await file.writev(lines)
      await file.datasync()
    } finally {
      await file.close()
    }
    const bytes = lines.reduce((n, line) => n + line.length, 0)
    this.#openBytes += bytes
    this.#bytes += bytes
    this.#records.set(this.#open!, (this.#records.get(this.#open!) ?? 0) + count)
    this.#hasData = true
  }

  /** Starts a new open segment and returns the segments closed by it, oldest first. */
  rotate(): Promise<number[]> {
    return this.#serial(async () => {
      const open = await this.#rotate()
      return (await this.segments()).filter((s) => s < open)
    })
  }

  async #rotate(): Promise<number> {
    const last = (await this.segments()).at(-1)
    this.#open = (last ?? 0) + 1
    this.#openBytes = 0
    return this.#open
  }

  /** Segment numbers on disk, oldest first (the open one included once written to). */
  async segments(): Promise<number[]> {
    const names = await readdir(this.#dir).catch(() => [] as string[])
    return names
      .map((n) => SEGMENT_PATTERN.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
  }

  /** Kept in memory so the writer can check it on every flush without touching the disk. */
  isEmpty(): boolean {
    return !this.#hasData
  }

  /** Bytes of records waiting on disk. */
  bytes(): number {
    return this.#bytes
  }

  /** Records waiting on disk (a line cut short by a crash counts too). */
  records(): number {
    let n = 0
    for (const count of this.#records.values()) n += count
    return n
  }

  async *readBatches(segment: number, batchSize: number): AsyncGenerator<RequestRecord[]> {
    const lines = createInterface({
      input: createReadStream(this.#path(segment)),
      crlfDelay: Infinity,
    })
    let batch: RequestRecord[] = []
    let bytes = 0
    for await (const line of lines) {
      const record = parseLine(line)
      if (record) batch.push(record)
      bytes += line.length
      // Bytes bound a replay's memory too: 200 spooled records of 1 MB are 200 MB.
      if (batch.length >= batchSize || bytes >= MAX_BATCH_BYTES) {
        yield batch
        batch = []
        bytes = 0
      }
    }
    if (batch.length > 0) yield batch
  }

  remove(segment: number): Promise<void> {
    return this.#serial(async () => {
      const path = this.#path(segment)
      const size = await stat(path).then(
        (s) => s.size,
        () => 0,
      )
      await rm(path, { force: true })
      this.#bytes -= size
      this.#records.delete(segment)
      if (segment === this.#open) this.#open = undefined
      // Records appended meanwhile are queued behind this step: they count as data too.
      this.#hasData = this.#pending.length > 0 || (await this.segments()).length > 0
    })
  }

  /** Resolves once every change asked for so far is on disk. */
  settled(): Promise<void> {
    return this.#chain.then(() => undefined)
  }

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(step)
    // A failed step is reported to its caller; the chain itself goes on.
    this.#chain = next.catch(() => undefined)
    return next
  }

  #path(segment: number): string {
    return join(this.#dir, `${String(segment).padStart(12, '0')}.jsonl`)
  }
}

async function countLines(path: string): Promise<number> {
  let lines = 0
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
  }
  return lines
}

// A crash can leave the last line half written; that record was still in flight.
function parseLine(line: string): RequestRecord | undefined {
  try {
    return JSON.parse(line) as RequestRecord
  } catch {
    return undefined
  }
}
