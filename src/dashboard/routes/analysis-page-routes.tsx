/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono'
import {
  branchKey,
  queueAnalysis,
  type AnalysisRoutesDeps,
} from '../../analysis/analysis-routes.ts'
import { findAnalysis } from '../../analysis/analysis-store.ts'
import { NotFoundError } from '../../errors.ts'
import { requireWrite, type DashboardEnv } from '../auth/middleware.ts'
import { AnalysisPanel } from '../views/analysis-panel.tsx'

const NOTICES: Record<string, string> = {
  rate_limited: 'The analysis limit for this domain is reached; try again later.',
  busy: 'The analysis is running right now.',
}

export function analysisNotice(code: string | undefined): string | undefined {
  return code === undefined ? undefined : NOTICES[code]
}

/**
 * The conversation page's analysis panel: its live fragment, and the form that requests or
 * regenerates (a plain form post: it works without script; live.js refreshes the fragment
 * when the worker reports progress).
 */
export function analysisPageRoutes(deps: AnalysisRoutesDeps) {
  const app = new Hono<DashboardEnv>()

  app.get('/fragments/analysis/:id/:branch', async (c) => {
    const key = await branchKey(
      deps.db,
      c.var.viewer.scope,
      c.req.param('id'),
      c.req.param('branch'),
    )
    if (!key) throw new NotFoundError('No such conversation')
    const analysis = await findAnalysis(deps.db, key.conversationId, key.branchId)
    const notice = analysisNotice(c.req.query('notice'))
    return c.html(
      <AnalysisPanel
        conversationId={key.conversationId}
        branchId={key.branchId}
        analysis={analysis}
        canWrite={c.var.viewer.canWrite}
        notice={notice}
      />,
    )
  })

  app.post('/conversations/:id/analysis', requireWrite(), async (c) => {
    const form = await c.req.parseBody()
    const branch = typeof form.branch === 'string' ? form.branch.slice(0, 200) : 'main'
    const key = await branchKey(deps.db, c.var.viewer.scope, c.req.param('id'), branch)
    if (!key) throw new NotFoundError('No such conversation')
    const prompt = typeof form.customPrompt === 'string' ? form.customPrompt.slice(0, 4000) : ''
    const mode = form.mode === 'regenerate' ? 'regenerate' : 'create'
    const outcome = await queueAnalysis(deps, key, c.var.viewer.label, mode, prompt)
    const q = new URLSearchParams({ branch })
    if (NOTICES[outcome]) q.set('notice', outcome)
    return c.redirect(`/conversations/${key.conversationId}?${q}`, 303)
  })
  return app
}
