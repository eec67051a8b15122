/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono'
import { errorBody } from '../../errors.ts'
import { requireWrite, type DashboardEnv } from '../auth/middleware.ts'
import { Layout, PageTitle } from '../views/layout.tsx'

/**
 * The place for AI analysis (SPEC §7, another capability). The page and the panel on
 * conversation pages exist; the write action is wired through the same guards every write
 * will use (session, same origin, not read-only) and answers 501 until the worker lands.
 */
export function analysisRoutes() {
  const app = new Hono<DashboardEnv>()
  app.get('/analysis', (c) =>
    c.html(
      <Layout title="Analysis" section="analysis" viewer={c.var.viewer}>
        <PageTitle sub="Summaries, problems and suggestions per conversation.">Analysis</PageTitle>
        <section class="analysis-placeholder" data-testid="analysis-panel">
          <p class="muted">
            AI analysis is not available yet. When it is, each conversation page shows its analysis
            and a button to request one.
          </p>
        </section>
      </Layout>,
    ),
  )
  app.post('/conversations/:id/analysis', requireWrite(), (c) =>
    c.json(errorBody('api_error', 'AI analysis is not available yet'), 501),
  )
  return app
}
