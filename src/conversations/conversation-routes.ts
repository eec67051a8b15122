import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { Database } from '../db/database.ts'
import { AppError, BadRequestError, NotFoundError, ServiceUnavailableError } from '../errors.ts'
import type { Log } from '../log.ts'
import {
  findConversation,
  findConversationRequests,
  findConversationSpawns,
  listConversations,
} from './conversation-query-store.ts'
import { conversationSummary, conversationTree } from './conversation-tree.ts'

export interface ConversationRoutesDeps {
  /** Null when storage is disabled: every route answers 503. */
  db: Database | null
  /** Guards every route when given (the dashboard passes its API guard). */
  auth?: MiddlewareHandler
  log?: Log
}

const listQuery = z.object({
  domain: z.string().min(1).max(261).optional(),
  accountId: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
})

const cursorSchema = z.tuple([z.iso.datetime({ offset: true }), z.uuid()])

/**
 * Conversations for the dashboard: `GET /api/conversations` (newest activity first, cursor
 * paging) and `GET /api/conversations/:id` (its requests grouped into branches, sub-tasks and
 * compactions). Narrow columns only; request bodies stay on the request detail view.
 */
export function conversationRoutes(deps: ConversationRoutesDeps) {
  const app = new Hono()
  if (deps.auth) app.use('/api/conversations', deps.auth).use('/api/conversations/*', deps.auth)
  const database = () => {
    if (!deps.db)
      throw new ServiceUnavailableError('Storage is disabled: there are no conversations.')
    return deps.db
  }

  app.get('/api/conversations', async (c) => {
    const q = parse(listQuery, c.req.query())
    const rows = await listConversations(database(), {
      domain: q.domain,
      accountId: q.accountId,
      limit: q.limit + 1,
      after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    })
    const page = rows.slice(0, q.limit)
    const last = page.at(-1)
    return c.json({
      conversations: page.map(conversationSummary),
      nextCursor:
        rows.length > q.limit && last ? encodeCursor(last.last_at, last.conversation_id) : null,
    })
  })

  app.get('/api/conversations/:id', async (c) => {
    const id = c.req.param('id')
    const db = database()
    const found = z.uuid().safeParse(id).success ? await findConversation(db, id) : undefined
    // A domain-scoped key is let through for its `?domain=`; another domain's conversation
    // must look like no conversation at all.
    const domain = c.req.query('domain')
    const summary = domain === undefined || found?.domain === domain ? found : undefined
    if (!summary) throw new NotFoundError(`No conversation ${id}`)
    const [requests, spawns] = await Promise.all([
      findConversationRequests(db, id),
      findConversationSpawns(db, id),
    ])
    return c.json(conversationTree(summary, requests, spawns))
  })

  app.onError((err, c) => {
    if (err instanceof AppError) return c.json(err.toBody(), err.status as 400)
    deps.log?.error('conversation query failed', { path: c.req.path, error: err })
    const unavailable = new ServiceUnavailableError(
      'Conversations are unavailable: the database did not answer.',
    )
    return c.json(unavailable.toBody(), 503)
  })
  return app
}

function parse<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`)
  throw new BadRequestError(`Invalid query parameters: ${issues.join('; ')}`)
}

function encodeCursor(lastAt: Date, conversationId: string): string {
  return Buffer.from(JSON.stringify([lastAt.toISOString(), conversationId])).toString('base64url')
}

function decodeCursor(cursor: string): { lastAt: string; conversationId: string } {
  try {
    const [lastAt, conversationId] = cursorSchema.parse(
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')),
    )
    return { lastAt, conversationId }
  } catch {
    throw new BadRequestError('Invalid query parameters: cursor: not a cursor from this API')
  }
}
