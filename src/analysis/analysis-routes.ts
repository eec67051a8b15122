import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { findConversation } from '../conversations/conversation-query-store.ts'
import type { Database } from '../db/database.ts'
import { BadRequestError, errorBody, NotFoundError } from '../errors.ts'
import { requireWrite, type DashboardEnv } from '../dashboard/auth/middleware.ts'
import { inScope, type DomainScope } from '../dashboard/auth/scope.ts'
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
    const key = await branchKey(deps.db, c.var.viewer.scope, conversationId, branchId)
    if (!key) throw new NotFoundError(`No conversation ${conversationId}`)
    return key
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
    const outcome = await queueAnalysis(deps, key, c.var.viewer.label, 'create', body.customPrompt)
    if (outcome === 'rate_limited') return limitReached(c, deps, key)
    return answer(c, key, outcome === 'queued' ? 202 : 200)
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
    const outcome = await queueAnalysis(deps, key, actor, 'regenerate', body.customPrompt)
    if (outcome === 'rate_limited') return limitReached(c, deps, key)
    if (outcome === 'busy') {
      return c.json(
        errorBody(
          'invalid_request_error',
          'The analysis is running right now; regenerate it when it is done',
        ),
        409,
      )
    }
    return answer(c, key, 202)
  })
  return app
}

/** A branch the scope may see, as an analysis key; undefined when it may not or it is none. */
export async function branchKey(
  db: Database,
  scope: DomainScope,
  conversationId: string,
  branchId: string,
): Promise<AnalysisKey | undefined> {
  const found = z.uuid().safeParse(conversationId).success
    ? await findConversation(db, conversationId)
    : undefined
  if (!found || !inScope(scope, found.domain)) return undefined
  if (!(await branchExists(db, conversationId, branchId))) return undefined
  return { conversationId, branchId, domain: found.domain }
}

export type QueueOutcome = 'queued' | 'existing' | 'busy' | 'rate_limited'

/**
 * Queues an analysis for `actor` (the API and the dashboard's form both come here): `create`
 * returns an existing one unless it failed, `regenerate` starts over unless a worker holds it.
 * Checked against the domain's limit and written to the audit table either way.
 */
export async function queueAnalysis(
  deps: AnalysisRoutesDeps,
  key: AnalysisKey,
  actor: string,
  event: 'create' | 'regenerate',
  customPrompt: string | undefined,
): Promise<QueueOutcome> {
  const now = new Date(deps.clock())
  const write = (outcome: QueueOutcome) =>
    audit(deps.db, { ...key, event, outcome, actor }, now).then(() => outcome)
  if (event === 'create') {
    const existing = await findAnalysis(deps.db, key.conversationId, key.branchId)
    if (existing && existing.status !== 'failed') return write('existing')
  }
  const since = new Date(deps.clock() - deps.rateLimit.windowMs)
  if ((await recentCreations(deps.db, key.domain, since)) >= deps.rateLimit.max) {
    return write('rate_limited')
  }
  const prompt = customPrompt?.trim() || null
  const queued =
    event === 'create'
      ? await requestAnalysis(deps.db, key, prompt, now)
      : await regenerateAnalysis(deps.db, key, prompt, now)
  if (queued) deps.onQueued?.(key)
  return write(queued ? 'queued' : event === 'create' ? 'existing' : 'busy')
}

/** The 429 of a domain over its analysis limit, in the Anthropic error shape. */
export function limitReached(c: Context, deps: AnalysisRoutesDeps, key: AnalysisKey) {
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

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
  throw new BadRequestError(`Invalid request body: ${issues.join('; ')}`)
}
