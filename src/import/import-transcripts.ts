import { MAX_BATCH_BYTES, recordBytes } from '../storage/byte-batches.ts'
import type { RequestRecord } from '../storage/request-record.ts'
import type { CostOf } from '../usage/request-cost.ts'
import { importedRecord } from './import-record.ts'
import { linesOf } from './read-lines.ts'
import { TranscriptReader } from './transcript-reader.ts'

/** What the import needs from storage. */
export interface ImportStore {
  /** The messages among these already stored: imported before (same message id) or proxied
   *  (same upstream request id). Returns their message ids. */
  existing(
    messages: ReadonlyArray<{ messageId: string; requestId: string | null }>,
  ): Promise<Set<string>>
  insert(records: readonly RequestRecord[]): Promise<void>
}

export interface ImportProgress {
  files: number
  totalFiles: number
  lines: number
  messages: number
  elapsedMs: number
}

export interface ImportSummary extends ImportProgress {
  /** Messages stored by this run (with --dry-run: that would be). */
  imported: number
  /** Messages found already stored. */
  alreadyStored: number
  tokens: { input: number; output: number; cacheWrite: number; cacheRead: number }
  costUsd: number
  /** Messages whose model has no price. */
  unpriced: number
  malformed: Array<{ file: string; line: number; reason: string }>
  /** Files that end in a line still being written (not imported yet). */
  incomplete: Array<{ file: string; line: number }>
  unreadable: Array<{ file: string; error: string }>
}

export interface ImportOptions {
  store: ImportStore
  costOf: CostOf
  domain: string
  dryRun: boolean
  batchSize?: number
  clock?: () => number
  onProgress?: (progress: ImportProgress) => void
}

/** Reads each transcript as a stream and stores its API messages, a batch at a time. */
export async function importTranscripts(
  files: readonly string[],
  options: ImportOptions,
): Promise<ImportSummary> {
  const clock = options.clock ?? Date.now
  const started = clock()
  const summary: ImportSummary = {
    files: 0,
    totalFiles: files.length,
    lines: 0,
    messages: 0,
    elapsedMs: 0,
    imported: 0,
    alreadyStored: 0,
    tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
    costUsd: 0,
    unpriced: 0,
    malformed: [],
    incomplete: [],
    unreadable: [],
  }
  const batches = batcher(options, summary)
  const progress = () => {
    summary.elapsedMs = clock() - started
    options.onProgress?.(summary)
  }
  for (const file of files) {
    await readFile(
      file,
      summary,
      async (record) => {
        await batches.add(record)
        if (summary.messages % 500 === 0) progress()
      },
      options,
    )
    summary.files++
    progress()
  }
  await batches.finish()
  progress()
  return summary
}

// One batch is stored while the next is read: reading is CPU here, storing mostly waits.
// Batches are bounded in bytes like the writer's: PGlite's heap grows with the largest
// statement (src/storage/byte-batches.ts).
function batcher(options: ImportOptions, summary: ImportSummary) {
  const batchSize = options.batchSize ?? 1000
  let batch: RequestRecord[] = []
  let bytes = 0
  let storing: Promise<void> = Promise.resolve()
  const flush = async () => {
    const records = batch
    batch = []
    bytes = 0
    await storing
    if (records.length === 0) return
    storing = storeBatch(records, options, summary)
    // Its failure is reported where it is awaited (next batch or the end), not as unhandled.
    storing.catch(() => {})
  }
  return {
    async add(record: RequestRecord) {
      batch.push(record)
      bytes += recordBytes(record)
      if (batch.length >= batchSize || bytes >= MAX_BATCH_BYTES) await flush()
    },
    async finish() {
      await flush()
      await storing
    },
  }
}

async function readFile(
  file: string,
  summary: ImportSummary,
  take: (record: RequestRecord) => Promise<void>,
  options: ImportOptions,
) {
  const reader = new TranscriptReader()
  const source = linesOf(file)
  try {
    for await (const line of source.lines) {
      summary.lines++
      for (const m of reader.push(line)) {
        summary.messages++
        await take(importedRecord(m, options.domain, options.costOf))
      }
    }
  } catch (err) {
    summary.unreadable.push({ file, error: (err as Error).message })
  }
  for (const bad of reader.malformed) summary.malformed.push({ file, ...bad })
  // A file still being written may be in the middle of a response: its last message waits
  // for the next run, which sees all of its content blocks and its final usage.
  if (source.incompleteTail() !== '') {
    summary.incomplete.push({ file, line: reader.lines + 1 })
    return
  }
  for (const m of reader.end()) {
    summary.messages++
    await take(importedRecord(m, options.domain, options.costOf))
  }
}

async function storeBatch(
  records: RequestRecord[],
  options: ImportOptions,
  summary: ImportSummary,
) {
  const existing = await options.store.existing(
    records.map((r) => ({ messageId: r.messageId ?? '', requestId: r.upstreamRequestId })),
  )
  // The same message in two files of one batch (a copied transcript) is stored once too.
  const fresh = records.filter((r) => {
    const id = r.messageId ?? ''
    if (existing.has(id)) return false
    existing.add(id)
    return true
  })
  summary.alreadyStored += records.length - fresh.length
  summary.imported += fresh.length
  for (const r of fresh) {
    summary.tokens.input += r.inputTokens
    summary.tokens.output += r.outputTokens
    summary.tokens.cacheWrite += r.cacheCreationInputTokens
    summary.tokens.cacheRead += r.cacheReadInputTokens
    if (r.costUsd === null) summary.unpriced++
    else summary.costUsd += r.costUsd
  }
  if (!options.dryRun && fresh.length > 0) await options.store.insert(fresh)
}
