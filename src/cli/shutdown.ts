import type { Log } from '../log.ts'

export interface ShutdownDeps {
  log: Log
  deadlineMs: number
  /** Closes servers, drains storage, closes the database; resolves when all is done. */
  stop(): Promise<void>
  /** What must not outlive a forced exit (the data-dir lock): synchronous, idempotent. */
  release(): void
  exit(code: number): void
}

/**
 * SIGINT/SIGTERM: a graceful stop bounded by a deadline, after which the process exits with
 * 1. A second signal exits at once: an operator pressing Ctrl-C twice means it. Either way
 * the lock is released first, so the next start does not meet a lock it must take over.
 * Returns the handler (tests call it directly).
 */
export function handleShutdownSignals(deps: ShutdownDeps): (signal: string) => void {
  let stopping = false
  const forced = (msg: string, fields: Record<string, unknown>) => {
    deps.log.warn(msg, fields)
    deps.release()
    deps.exit(1)
  }
  const onSignal = (signal: string) => {
    if (stopping) return forced('second signal: exiting now', { signal })
    stopping = true
    deps.log.info('shutting down', { signal, deadlineMs: deps.deadlineMs })
    const timer = setTimeout(
      () => forced('shutdown did not finish by the deadline: exiting', { signal }),
      deps.deadlineMs,
    )
    deps.stop().then(
      () => {
        clearTimeout(timer)
        deps.release()
        deps.exit(0)
      },
      (err: unknown) => {
        clearTimeout(timer)
        forced('shutdown failed', { error: err })
      },
    )
  }
  // `on`, not `once`: after `once` a second signal would kill the process with the lock held.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal)
  return onSignal
}
