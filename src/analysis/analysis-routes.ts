import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { findConversation } from '../conversations/conversation-query-store.ts'
import type { Database } from '../db/database.ts'
import { BadRequestError, errorBody, NotFoundError } from '../errors.ts'
import { requireWrite, type DashboardEnv } from '../dashboard/auth/middleware.ts'
import { inScope } from '../dashboard/auth/scope.ts'
import {
  audit,
  findAnalysis,
  recentCreations,
  regenerateAnalysis,
  requestAnalysis,
  type AnalysisKey,
} from './analysis-store.ts'
import { branchExists } from './branch-input-store.ts'

export interface AnalysisRoutesDeps {
  db: Database
  clock: () => number
  rateLimit: { max: number; windowMs: number }
  /** Whether a worker will pick jobs up (said in answers so a UI can tell). */
  workerConfigured: boolean
  /** A job was queued: wake the local worker, tell live pages. */
  onQueued?: (key: AnalysisKey) => void
}

const createBody = z.object({
  conversationId: z.uuid(),
  branchId: z.string().min(1).max(200),
  customPrompt: z.string().max(4_000).optional(),
})
const regenerateBody = z.object({ customPrompt: z.string().max(4_000).optional() })

/**
 * `/api/analyses`: request, read and regenerate the AI analysis of a conversation branch.
 * Scoped like every dashboard view: another domain's conversation does not exist for a
 * domain login. Creations are audited and rate-limited per domain across instances.
 */
export function analysisRoutes(deps: AnalysisRoutesDeps) {
  const app = new Hono<DashboardEnv>()
  const now = () => new Date(deps.clock())

  /** The analysis key of a branch the viewer may see, or a 404. */
  async function keyFor(c: Context<DashboardEnv>, conversationId: string, branchId: string) {
    const found = z.uuid().safeParse(conversationId).success
      ? await findConversation(deps.db, conversationId)
      : undefined
    if (!found || !inScope(c.var.viewer.scope, found.domain)) {
      throw new NotFoundError(`No conversation ${conversationId}`)
    }
    if (!(await branchExists(deps.db, conversationId, branchId))) {
      throw new NotFoundError(`Conversation ${conversationId} has no branch ${branchId}`)
    }
    return { conversationId, branchId, domain: found.domain }
  }

  async function limited(c: Context<DashboardEnv>, key: AnalysisKey) {
    const since = new Date(deps.clock() - deps.rateLimit.windowMs)
    if ((await recentCreations(deps.db, key.domain, since)) < deps.rateLimit.max) return undefined
    const minutes = Math.round(deps.rateLimit.windowMs / 60_000)
    return c.json(
      errorBody(
        'rate_limit_error',
        `Analysis limit reached for ${key.domain}: ${deps.rateLimit.max} per ${minutes} minutes`,
      ),
      429,
      { 'retry-after': String(Math.ceil(deps.rateLimit.windowMs / 1000)) },
    )
  }

  const answer = async (c: Context<DashboardEnv>, key: AnalysisKey, status: 200 | 202) =>
    c.json(
      {
        analysis: await findAnalysis(deps.db, key.conversationId, key.branchId),
        workerConfigured: deps.workerConfigured,
      },
      status,
    )

  app.post('/api/analyses', requireWrite(), async (c) => {
    const body = parse(createBody, await c.req.json().catch(() => undefined))
    const key = await keyFor(c, body.conversationId, body.branchId)
    const existing = await findAnalysis(deps.db, key.conversationId, key.branchId)
    const actor = c.var.viewer.label
    if (existing && existing.status !== 'failed') {
      await audit(deps.db, { ...key, event: 'create', outcome: 'existing', actor }, now())
      return answer(c, key, 200)
    }
    const refused = await limited(c, key)
    if (refused) {
      await audit(deps.db, { ...key, event: 'create', outcome: 'rate_limited', actor }, now())
      return refused
    }
    const queued = await requestAnalysis(deps.db, key, body.customPrompt ?? null, now())
    await audit(
      deps.db,
      { ...key, event: 'create', outcome: queued ? 'queued' : 'existing', actor },
      now(),
    )
    if (queued) deps.onQueued?.(key)
    return answer(c, key, queued ? 202 : 200)
  })

  app.get('/api/analyses/:conversationId/:branchId', async (c) => {
    const key = await keyFor(c, c.req.param('conversationId'), c.req.param('branchId'))
    const found = await findAnalysis(deps.db, key.conversationId, key.branchId)
    const actor = c.var.viewer.label
    await audit(deps.db, { ...key, event: 'read', outcome: found ? 'found' : 'none', actor }, now())
    if (!found) throw new NotFoundError('This branch has not been analysed; POST /api/analyses')
    return c.json({ analysis: found, workerConfigured: deps.workerConfigured })
  })

  app.post('/api/analyses/:conversationId/:branchId/regenerate', requireWrite(), async (c) => {
    const body = parse(regenerateBody, await c.req.json().catch(() => ({})))
    const key = await keyFor(c, c.req.param('conversationId'), c.req.param('branchId'))
    const actor = c.var.viewer.label
    const refused = await limited(c, key)
    if (refused) {
      await audit(deps.db, { ...key, event: 'regenerate', outcome: 'rate_limited', actor }, now())
      return refused
    }
    const queued = await regenerateAnalysis(deps.db, key, body.customPrompt ?? null, now())
    const outcome = queued ? 'queued' : 'busy'
    await audit(deps.db, { ...key, event: 'regenerate', outcome, actor }, now())
    if (!queued) {
      return c.json(
        errorBody(
          'invalid_request_error',
          'The analysis is running right now; regenerate it when it is done',
        ),
        409,
      )
    }
    deps.onQueued?.(key)
    return answer(c, key, 202)
  })
  return app
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
  throw new BadRequestError(`Invalid request body: ${issues.join('; ')}`)
}
