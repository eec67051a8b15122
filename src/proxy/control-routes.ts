import { Hono } from 'hono'
import { errorBody } from '../errors.ts'
import type { StorageWriter } from '../storage/storage-writer.ts'
import type { ProxyMetrics } from './proxy-metrics.ts'

export interface ControlDeps {
  writer: StorageWriter | null
  metrics: ProxyMetrics
  ping: () => Promise<void>
  /** The usage API (src/usage/usage-routes.ts), which carries its own auth. */
  usage?: Hono | undefined
}

/**
 * Health and metrics on the proxy port. No auth and no request data: safe to expose to a load
 * balancer. The usage API mounted here requires the dashboard key on each of its routes.
 */
export function controlRoutes(deps: ControlDeps) {
  const app = new Hono()
  app.get('/health', (c) => c.json({ status: 'ok', storage: storageState(deps) }))
  app.get('/health/live', (c) => c.json({ status: 'ok' }))
  app.get('/health/ready', async (c) => {
    // Proxying works while the database is down (requests spool to disk), so readiness
    // answers 200 and says what is wrong instead of failing.
    const database = await deps.ping().then(
      () => 'up' as const,
      () => 'down' as const,
    )
    const stats = deps.writer?.stats()
    const problems = [
      ...(database === 'down' ? ['database unreachable'] : []),
      ...(stats?.degraded ? ['records cannot be written to the database; spooling to disk'] : []),
    ]
    return c.json({
      status: problems.length > 0 ? 'degraded' : 'ok',
      database,
      storage: storageState(deps),
      problems,
      queued: stats?.queued ?? 0,
      spoolBytes: stats?.spoolBytes ?? 0,
      quarantined: stats?.quarantined ?? 0,
    })
  })
  app.get('/metrics', (c) => {
    c.header('content-type', 'text/plain; version=0.0.4')
    return c.body(deps.metrics.render(deps.writer?.stats() ?? null))
  })
  if (deps.usage) app.route('/', deps.usage)
  app.notFound((c) =>
    c.json(errorBody('not_found_error', `No route for ${c.req.method} ${c.req.path}`), 404),
  )
  return app
}

function storageState(deps: ControlDeps) {
  if (!deps.writer) return 'disabled'
  return deps.writer.stats().degraded ? 'spooling' : 'ok'
}
