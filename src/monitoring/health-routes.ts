import { Hono } from 'hono'
import type { WriterStats } from '../storage/storage-writer.ts'

export interface HealthDeps {
  /** Null when the process has no database (storage disabled). */
  ping: (() => Promise<void>) | null
  /** Resolves true when every migration this build knows is applied. */
  migrationsApplied: (() => Promise<boolean>) | null
  storage: (() => WriterStats) | null
  /**
   * The dashboard cannot serve a page without its database: its readiness fails (503) when
   * the database is down. The proxy goes on proxying and spools, so it stays ready.
   */
  needsDatabase: boolean
}

/**
 * `/health`, `/health/live` and `/health/ready`, the same on both ports: no auth, and no
 * stored data (states and counts only), so a load balancer or orchestrator may call them.
 */
export function healthRoutes(deps: HealthDeps) {
  const app = new Hono()
  app.get('/health', (c) => c.json({ status: 'ok', storage: storageState(deps.storage) }))
  // Liveness is the event loop answering; nothing it depends on may fail it.
  app.get('/health/live', (c) => c.json({ status: 'ok' }))
  app.get('/health/ready', async (c) => {
    const ready = await readiness(deps)
    return c.json(ready, ready.status === 'unavailable' ? 503 : 200)
  })
  return app
}

export async function readiness(deps: HealthDeps) {
  const database = deps.ping ? await deps.ping().then(up, down) : ('disabled' as const)
  const migrations =
    database !== 'up' || !deps.migrationsApplied
      ? ('unknown' as const)
      : await deps.migrationsApplied().then(
          (applied) => (applied ? ('applied' as const) : ('pending' as const)),
          () => 'unknown' as const,
        )
  const stats = deps.storage?.()
  const problems = [
    ...(database === 'down' ? ['database unreachable'] : []),
    ...(migrations === 'pending' ? ['database migrations pending: run `nexus migrate`'] : []),
    ...(stats?.degraded ? ['records cannot be written to the database; spooling to disk'] : []),
  ]
  const unavailable = migrations === 'pending' || (deps.needsDatabase && database !== 'up')
  return {
    status: unavailable ? 'unavailable' : problems.length > 0 ? 'degraded' : 'ok',
    database,
    migrations,
    storage: storageState(deps.storage),
    problems,
    queued: stats?.queued ?? 0,
    spoolBytes: stats?.spoolBytes ?? 0,
    spoolRecords: stats?.spoolRecords ?? 0,
    quarantined: stats?.quarantined ?? 0,
  }
}

const up = () => 'up' as const
const down = () => 'down' as const

function storageState(storage: (() => WriterStats) | null) {
  if (!storage) return 'disabled'
  return storage().degraded ? 'spooling' : 'ok'
}
