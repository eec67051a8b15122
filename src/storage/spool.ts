import { createReadStream } from 'node:fs'
import { appendFile, mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { MAX_BATCH_BYTES } from './byte-batches.ts'
import type { RequestRecord } from './request-record.ts'

const SEGMENT_PATTERN = /^(\d{12})\.jsonl$/
// Segments are rotated at this size so that replay reads bounded pieces.
const MAX_SEGMENT_BYTES = 32 * 1024 * 1024

/**
 * Append-only on-disk queue of records the database could not take. Records are written to
 * the open (highest numbered) segment; replay reads closed segments oldest first, so the
 * order in which requests arrived is the order in which they reach the database.
 */
export class Spool {
  readonly #dir: string
  #open: number | undefined
  #openBytes = 0
  #hasData = false

  constructor(dir: string) {
    this.#dir = dir
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 })
    const segments = await this.segments()
    this.#open = segments.at(-1)
    this.#hasData = segments.length > 0
    this.#openBytes = this.#open === undefined ? 0 : (await stat(this.#path(this.#open))).size
  }

  async append(records: readonly RequestRecord[]): Promise<void> {
    if (records.length === 0) return
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n'
    if (this.#open === undefined || this.#openBytes > MAX_SEGMENT_BYTES) await this.rotate()
    await appendFile(this.#path(this.#open!), text, { mode: 0o600 })
    this.#openBytes += Buffer.byteLength(text)
    this.#hasData = true
  }

  /** Starts a new open segment, so every earlier one is closed and may be replayed. */
  async rotate(): Promise<void> {
    const last = (await this.segments()).at(-1)
    this.#open = (last ?? 0) + 1
    this.#openBytes = 0
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

  async remove(segment: number): Promise<void> {
    await rm(this.#path(segment), { force: true })
    if (segment === this.#open) this.#open = undefined
    this.#hasData = (await this.segments()).length > 0
  }

  #path(segment: number): string {
    return join(this.#dir, `${String(segment).padStart(12, '0')}.jsonl`)
  }
}

// A crash can leave the last line half written; that record was still in flight.
function parseLine(line: string): RequestRecord | undefined {
  try {
    return JSON.parse(line) as RequestRecord
  } catch {
    return undefined
  }
}
