import type { RequestRecord } from './request-record.ts'

/**
 * Bytes one insert statement may carry, summed over its records' bodies, chunks and search
 * texts. Every byte of a statement is copied several times inside the database (parameters,
 * jsonb, compression, search vectors); on PGlite those copies grow a WebAssembly heap that
 * never shrinks, so 200 records of 1 MB in one statement left the process at 1.2 GB for
 * good. A few MB per statement costs nothing in throughput (docs/benchmarks.md, Memory).
 */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024

/**
 * Payload bytes the writer keeps in memory while the database is behind; past this the
 * queue goes to the spool on disk and is replayed from there in order.
 */
export const MAX_QUEUE_BYTES = 64 * 1024 * 1024

/** The payload bytes of a record: what the database copies, not the fixed columns. */
export function recordBytes(r: RequestRecord): number {
  let bytes = (r.bodyJson?.length ?? 0) + (r.responseJson?.length ?? 0)
  bytes += r.searchText?.length ?? 0
  for (const c of r.chunks) bytes += c.data.length
  return bytes
}

/**
 * Splits records, in order, into batches of at most `maxBytes` each; a record larger than
 * that goes alone.
 */
export function byteBatches(
  records: readonly RequestRecord[],
  maxBytes = MAX_BATCH_BYTES,
): RequestRecord[][] {
  const out: RequestRecord[][] = []
  let batch: RequestRecord[] = []
  let bytes = 0
  for (const r of records) {
    const size = recordBytes(r)
    if (batch.length > 0 && bytes + size > maxBytes) {
      out.push(batch)
      batch = []
      bytes = 0
    }
    batch.push(r)
    bytes += size
  }
  if (batch.length > 0) out.push(batch)
  return out
}

export function queueBytes(records: readonly RequestRecord[]): number {
  let bytes = 0
  for (const r of records) bytes += recordBytes(r)
  return bytes
}
