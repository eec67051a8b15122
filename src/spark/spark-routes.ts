import { Hono } from 'hono'
import { z } from 'zod'
import type { Database } from '../db/database.ts'
import {
  BadRequestError,
  NotFoundError,
  ServiceUnavailableError,
  UpstreamError,
} from '../errors.ts'
import type { Log } from '../log.ts'
import { requireWrite, type DashboardEnv } from '../dashboard/auth/middleware.ts'
import type { DomainScope } from '../dashboard/auth/scope.ts'
import { findRequest } from '../dashboard/queries/request-queries.ts'
import { buildMessageModel, type MessageModel } from '../dashboard/views/message-model.ts'
import { sparkAnchor, type SparkNotice, type SparkView } from '../dashboard/views/spark-card.tsx'
import {
  SparkError,
  type SparkClient,
  type SparkFailure,
  type SparkFeedback,
} from './spark-client.ts'
import {
  findRecommendations,
  sessionIds,
  type SparkRecommendation,
} from './spark-recommendation.ts'

export interface SparkRoutesDeps {
  db: Database
  spark: SparkClient
  log: Log
}

const rating = z.number().int().min(1).max(5)
const feedbackFields = {
  rating,
  comments: z.string().max(5_000).optional().default(''),
  sections: z
    .array(
      z.object({
        sectionId: z.string().min(1).max(100),
        rating: rating.optional(),
        comments: z.string().max(2_000).optional(),
      }),
    )
    .max(50)
    .optional()
    .default([]),
}
const feedbackBody = z.object({
  requestId: z.string(),
  sessionId: z.string().min(1).max(500),
  ...feedbackFields,
})
const batchBody = z.object({ requestId: z.string(), sessionIds: z.array(z.string()).optional() })

/**
 * The dashboard's Spark API (docs/spark.md). Every call names a request the viewer may see
 * and a session of a recommendation in it, so a domain login reaches only its own domain's
 * sessions; the dashboard adds the Spark key, which never reaches the browser.
 */
export function sparkRoutes(deps: SparkRoutesDeps) {
  const app = new Hono<DashboardEnv>()

  app.post('/api/spark/feedback', requireWrite(), async (c) => {
    const body = parse(feedbackBody, await c.req.json().catch(() => undefined))
    await sessionOf(deps.db, c.var.viewer.scope, body.requestId, body.sessionId)
    const { sessionId, rating, comments, sections } = body
    await deps.spark.sendFeedback(sessionId, { rating, comments, sections }).catch(rethrow)
    return c.json({ sent: true, sessionId }, 201)
  })

  app.post('/api/spark/feedback/batch', async (c) => {
    const body = parse(batchBody, await c.req.json().catch(() => undefined))
    const recs = await recommendationsOf(deps.db, c.var.viewer.scope, body.requestId)
    const inRequest = sessionIds(recs)
    const asked = body.sessionIds
      ? inRequest.filter((id) => body.sessionIds!.includes(id))
      : inRequest
    const found = await deps.spark.feedbackFor(asked).catch(rethrow)
    return c.json({ feedback: Object.fromEntries(asked.map((id) => [id, found.get(id) ?? null])) })
  })

  app.get('/api/spark/sessions/:sessionId/feedback', async (c) => {
    const sessionId = c.req.param('sessionId')
    await sessionOf(deps.db, c.var.viewer.scope, c.req.query('requestId') ?? '', sessionId)
    const found = await deps.spark.sessionFeedback(sessionId).catch(rethrow)
    if (!found) throw new NotFoundError('No feedback for this session yet')
    return c.json({ sessionId, feedback: found })
  })

  // The card's plain form (works without script): send, then back to the card with the outcome.
  app.post('/requests/:id/spark-feedback', requireWrite(), async (c) => {
    const requestId = c.req.param('id')
    const form = await c.req.parseBody()
    const sessionId = typeof form.session === 'string' ? form.session : ''
    const rec = await sessionOf(deps.db, c.var.viewer.scope, requestId, sessionId)
    const back = (q: Record<string, string>) =>
      c.redirect(
        `/requests/${encodeURIComponent(requestId)}?${new URLSearchParams({ spark_session: sessionId, ...q })}#${sparkAnchor(rec.toolUseId)}`,
        303,
      )
    const feedback = formFeedback(form)
    if (!feedback) return back({ spark: 'invalid' })
    try {
      await deps.spark.sendFeedback(sessionId, feedback)
      return back({ spark: 'sent' })
    } catch (error) {
      if (!(error instanceof SparkError)) throw error
      deps.log.warn('spark feedback failed', { reason: error.reason, status: error.status })
      return back({
        spark: error.reason,
        ...(error.status ? { spark_status: String(error.status) } : {}),
      })
    }
  })
  return app
}

/** The recommendations of a request the scope may see (404 when it may not or it is none). */
async function recommendationsOf(db: Database, scope: DomainScope, requestId: string) {
  const row = await findRequest(db, scope, requestId)
  if (!row) throw new NotFoundError('No such request')
  return modelRecommendations(buildMessageModel(row.body, row.response_body))
}

async function sessionOf(db: Database, scope: DomainScope, requestId: string, sessionId: string) {
  const rec = (await recommendationsOf(db, scope, requestId)).find((r) => r.sessionId === sessionId)
  if (!rec) throw new NotFoundError('No Spark recommendation with this session in that request')
  return rec
}

/** Every recommendation on a request page: the conversation's calls and the answer's. */
export function modelRecommendations(model: MessageModel): SparkRecommendation[] {
  const blocks = [...model.messages.flatMap((m) => m.content), ...model.response]
  return findRecommendations(blocks, model.results)
}

/**
 * What the request page needs for its Spark cards: earlier feedback in one batched lookup.
 * Spark being down or slow costs at most its timeout and a note on the cards, never the page.
 */
export async function loadSparkView(
  spark: SparkClient | undefined,
  model: MessageModel,
  page: { requestId: string; canWrite: boolean; query: (name: string) => string | undefined },
): Promise<SparkView | undefined> {
  const recs = modelRecommendations(model)
  if (recs.length === 0) return undefined
  let feedback = new Map<string, SparkFeedback>()
  let loadError: string | undefined
  if (spark?.configured) {
    try {
      feedback = await spark.feedbackFor(sessionIds(recs))
    } catch (error) {
      if (!(error instanceof SparkError)) throw error
      loadError = error.message
    }
  }
  return {
    requestId: page.requestId,
    enabled: spark?.configured ?? false,
    canWrite: page.canWrite,
    feedback,
    loadError,
    notice: readNotice(page.query),
  }
}

const FAILURES: Record<SparkFailure | 'invalid', (status: string | undefined) => string> = {
  invalid: () => 'Feedback not sent: choose a rating from 1 to 5.',
  not_configured: () => 'Feedback not sent: Spark is not configured (SPARK_API_KEY is not set).',
  unreachable: () => 'Feedback not sent: Spark could not be reached. Try again later.',
  timeout: () => 'Feedback not sent: Spark did not answer in time. Try again later.',
  refused: (status) => `Feedback not sent: Spark refused it (HTTP ${status ?? '?'}).`,
  bad_answer: () => 'Feedback not sent: Spark gave an answer the dashboard does not understand.',
}

/** The outcome a redirect carries; only known codes (and a status number) become text. */
function readNotice(query: (name: string) => string | undefined): SparkNotice | undefined {
  const code = query('spark')
  const sessionId = query('spark_session')
  if (!code || !sessionId) return undefined
  if (code === 'sent') return { sessionId, ok: true, message: 'Feedback sent to Spark. Thank you.' }
  const status = /^\d{3}$/.test(query('spark_status') ?? '') ? query('spark_status') : undefined
  const message = Object.hasOwn(FAILURES, code) ? FAILURES[code as SparkFailure](status) : undefined
  return message ? { sessionId, ok: false, message } : undefined
}

function formFeedback(form: Record<string, unknown>): SparkFeedback | undefined {
  const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string).trim() : '')
  const sections = []
  for (let i = 0; i < 50 && text(`section_id_${i}`) !== ''; i++) {
    const sectionRating = Number(text(`section_rating_${i}`))
    const comments = text(`section_comments_${i}`)
    const given = rating.safeParse(sectionRating).success
    if (!given && comments === '') continue
    sections.push({
      sectionId: text(`section_id_${i}`),
      ...(given ? { rating: sectionRating } : {}),
      ...(comments ? { comments } : {}),
    })
  }
  const parsed = z.object(feedbackFields).safeParse({
    rating: Number(text('rating')),
    comments: text('comments'),
    sections,
  })
  return parsed.success ? parsed.data : undefined
}

function rethrow(error: unknown): never {
  if (!(error instanceof SparkError)) throw error
  if (error.reason === 'not_configured') throw new ServiceUnavailableError(error.message)
  throw new UpstreamError(error.message)
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
  throw new BadRequestError(`Invalid request body: ${issues.join('; ')}`)
}

/**
 * The Spark cards of one stored request (for pages other than its own: the conversation
 * page shows those of its branch's latest request, whose body holds the whole history).
 */
export async function sparkCardsOf(
  db: Database,
  spark: SparkClient | undefined,
  viewer: { scope: DomainScope; canWrite: boolean },
  requestId: string,
): Promise<{ recs: SparkRecommendation[]; view: SparkView } | undefined> {
  const row = await findRequest(db, viewer.scope, requestId)
  if (!row) return undefined
  const model = buildMessageModel(row.body, row.response_body)
  const view = await loadSparkView(spark, model, {
    requestId,
    canWrite: viewer.canWrite,
    query: () => undefined,
  })
  return view ? { recs: modelRecommendations(model), view } : undefined
}
