import { Hono } from 'hono'
import { errorBody } from '../errors.ts'

export interface ControlDeps {
  /** Health (src/monitoring/health-routes.ts): no auth, no stored data. */
  health: Hono
  /** `/metrics` (src/monitoring/metrics-route.ts); null with METRICS_ENABLED=false. */
  metrics: Hono | null
  /** The JSON APIs (usage, conversations), which carry their own auth. */
  usage?: Hono | undefined
}

/** Everything on the proxy port that is not `/v1/*`. */
export function controlRoutes(deps: ControlDeps) {
  const app = new Hono()
  app.route('/', deps.health)
  if (deps.metrics) app.route('/', deps.metrics)
  if (deps.usage) app.route('/', deps.usage)
  app.notFound((c) =>
    c.json(errorBody('not_found_error', `No route for ${c.req.method} ${c.req.path}`), 404),
  )
  return app
}
