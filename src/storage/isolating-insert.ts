import type { Log } from '../log.ts'
import type { Quarantine } from './quarantine.ts'
import type { RequestRecord } from './request-record.ts'

export interface RecordStore {
  insert(records: readonly RequestRecord[]): Promise<void>
  ping(): Promise<void>
}

/** The database did not answer in time: it is slow or away, not refusing a record. */
export class WriteTimeoutError extends Error {}

export interface InsertDeps {
  store: RecordStore
  quarantine: Quarantine
  log: Log
  timeoutMs: number
  clock: () => number
}

/**
 * Inserts a batch; when it fails, tells "the database is down" (throws: spool and retry
 * later) from "a record in it is poison" (that record goes to the quarantine, the rest are
 * stored). A record is poison when it fails alone while the database answers a ping. Returns
 * the records stored.
 */
export async function insertIsolating(
  deps: InsertDeps,
  batch: readonly RequestRecord[],
): Promise<RequestRecord[]> {
  try {
    await withTimeout(deps.store.insert(batch), deps.timeoutMs)
    return [...batch]
  } catch (err) {
    await confirmReachable(deps, err)
  }
  const stored: RequestRecord[] = []
  for (const record of batch) {
    try {
      await withTimeout(deps.store.insert([record]), deps.timeoutMs)
      stored.push(record)
    } catch (err) {
      await confirmReachable(deps, err)
      await quarantine(deps, record, err)
    }
  }
  return stored
}

// Rethrows the insert's error unless the database answers: then the data was at fault.
async function confirmReachable(deps: InsertDeps, err: unknown): Promise<void> {
  if (err instanceof WriteTimeoutError) throw err
  try {
    await withTimeout(deps.store.ping(), deps.timeoutMs)
  } catch {
    throw err
  }
}

async function quarantine(deps: InsertDeps, record: RequestRecord, err: unknown) {
  const reason = err instanceof Error ? err.message : String(err)
  const added = await deps.quarantine.add(record, reason, new Date(deps.clock()))
  if (added) {
    deps.log.error('a record the database refuses was quarantined', {
      requestId: record.requestId,
      reason,
      file: deps.quarantine.path,
    })
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WriteTimeoutError(`database write timed out after ${ms} ms`)),
      ms,
    )
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
