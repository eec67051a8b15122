import type { Database } from '../db/database.ts'
import type { Log } from '../log.ts'
import { convertStoredBodies } from './convert-bodies.ts'
import { pruneRequests } from './retention.ts'

const DAY_MS = 86_400_000
const PRUNE_EVERY_MS = 3_600_000

/**
 * The storage's background work in a running service: converting bodies stored whole (once,
 * at start) and, with RETENTION_DAYS, pruning hourly. Errors are logged and retried on the
 * next round; stop() waits for the round in progress.
 */
export function startStorageMaintenance(deps: {
  db: Database
  log: Log
  retentionDays: number | undefined
  clock: () => number
}) {
  const stop = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = convertStoredBodies(deps.db, {
    log: deps.log,
    signal: stop.signal,
  }).then(
    (done) => {
      if (done.scanned > 0) deps.log.info('stored bodies converted', { ...done })
    },
    (err: unknown) => deps.log.error('could not convert stored bodies', { error: err }),
  )
  const days = deps.retentionDays
  if (days !== undefined) {
    const prune = () => {
      running = running.then(() =>
        pruneRequests(deps.db, new Date(deps.clock() - days * DAY_MS)).then(
          (report) => deps.log.info('retention: old requests pruned', { ...report }),
          (err: unknown) => deps.log.error('retention: could not prune', { error: err }),
        ),
      )
    }
    prune()
    timer = setInterval(prune, PRUNE_EVERY_MS).unref()
  }
  return {
    async stop() {
      stop.abort()
      clearInterval(timer)
      await running
    },
  }
}
