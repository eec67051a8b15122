import { Hono } from 'hono'
import { errorBody } from '../../errors.ts'
import { requireWrite, type DashboardEnv } from '../auth/middleware.ts'

/**
 * AI analysis (SPEC §7) is another capability and does not exist yet, so no page links to
 * it. The write action stays wired through the guards every write will use (session, same
 * origin, not read-only) and answers 501 until the worker lands.
 */
export function analysisRoutes() {
  const app = new Hono<DashboardEnv>()
  app.post('/conversations/:id/analysis', requireWrite(), (c) =>
    c.json(errorBody('api_error', 'AI analysis is not available yet'), 501),
  )
  return app
}
