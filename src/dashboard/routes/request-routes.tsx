/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono'
import { NotFoundError } from '../../errors.ts'
import type { DashboardEnv } from '../auth/middleware.ts'
import type { DashboardDeps } from '../dashboard-deps.ts'
import type { SparkClient } from '../../spark/spark-client.ts'
import { loadSparkView } from '../../spark/spark-routes.ts'
import {
  filterChoices,
  findRequest,
  listRequests,
  type Cursor,
  type RequestFilters,
} from '../queries/request-queries.ts'
import { shortId } from '../views/format.ts'
import { Layout, PageTitle } from '../views/layout.tsx'
import { buildMessageModel } from '../views/message-model.ts'
import {
  RequestDetailView,
  RequestFilterForm,
  RequestRows,
  RequestTable,
} from '../views/request-views.tsx'

const FILTER_KEYS = ['domain', 'model', 'type', 'status', 'from', 'to', 'q'] as const
const CHOICES_WINDOW_MS = 7 * 24 * 60 * 60 * 1000

/** Requests: the filtered list, its live fragment, one request's detail and raw bodies. */
export function requestRoutes(deps: DashboardDeps & { spark?: SparkClient | undefined }) {
  const app = new Hono<DashboardEnv>()

  app.get('/requests', async (c) => {
    const viewer = c.var.viewer
    const { raw, filters } = readFilters(c)
    const before = parseCursor(c.req.query('before'))
    const [page, choices] = await Promise.all([
      listRequests(deps.db, viewer.scope, filters, before ? { before } : {}),
      filterChoices(deps.db, viewer.scope, new Date(deps.clock() - CHOICES_WINDOW_MS)),
    ])
    const query = new URLSearchParams(Object.entries(raw))
    // Only the first page updates live; an older page stays where the reader put it.
    const liveSrc = before ? undefined : `/fragments/requests?${query}`
    const older = page.next
      ? `/requests?${withParam(query, 'before', formatCursor(page.next))}`
      : undefined
    return c.html(
      <Layout title="Requests" section="requests" viewer={viewer}>
        <PageTitle sub="Newest first. Search matches words in the last user message, the answer and the error.">
          Requests
        </PageTitle>
        <RequestFilterForm filters={filters} choices={choices} raw={raw} />
        <RequestTable rows={page.rows} liveSrc={liveSrc} />
        <nav class="pager" data-testid="pager">
          {before ? <a href={`/requests?${query}`}>« Newest</a> : null}
          {older ? (
            <a href={older} rel="next" data-testid="older">
              Older »
            </a>
          ) : null}
        </nav>
      </Layout>,
    )
  })

  app.get('/fragments/requests', async (c) => {
    const { filters } = readFilters(c)
    const page = await listRequests(deps.db, c.var.viewer.scope, filters)
    return c.html(<RequestRows rows={page.rows} />)
  })

  app.get('/requests/:id', async (c) => {
    const row = await findRequest(deps.db, c.var.viewer.scope, c.req.param('id'))
    if (!row) throw new NotFoundError('No such request')
    const model = buildMessageModel(row.body, row.response_body)
    const spark = await loadSparkView(deps.spark, model, {
      requestId: row.request_id,
      canWrite: c.var.viewer.canWrite,
      query: (name) => c.req.query(name),
    })
    return c.html(
      <Layout title={`Request ${shortId(row.request_id)}`} section="requests" viewer={c.var.viewer}>
        <PageTitle sub={<span class="mono">{row.request_id}</span>}>Request</PageTitle>
        <RequestDetailView row={row} model={model} spark={spark} />
      </Layout>,
    )
  })

  // Served as an attachment with nosniff: a body is data to save, never a page to render.
  app.get('/requests/:id/raw/:part{request|response}', async (c) => {
    const row = await findRequest(deps.db, c.var.viewer.scope, c.req.param('id'))
    if (!row) throw new NotFoundError('No such request')
    const part = c.req.param('part')
    const value = part === 'request' ? row.body : row.response_body
    c.header('content-disposition', `attachment; filename="${row.request_id}-${part}.json"`)
    return c.body(JSON.stringify(value, null, 2), 200, {
      'content-type': 'application/json; charset=utf-8',
    })
  })

  return app
}

function readFilters(c: Context): { raw: Record<string, string>; filters: RequestFilters } {
  const raw: Record<string, string> = {}
  for (const key of FILTER_KEYS) {
    const value = c.req.query(key)?.trim()
    if (value) raw[key] = value.slice(0, 500)
  }
  const filters: RequestFilters = {}
  if (raw.domain) filters.domain = raw.domain
  if (raw.model) filters.model = raw.model
  if (raw.type) filters.type = raw.type
  if (raw.status) filters.status = raw.status
  const from = parseDate(raw.from)
  const to = parseDate(raw.to)
  if (from) filters.from = from
  if (to) filters.to = to
  if (raw.q) filters.q = raw.q
  return { raw, filters }
}

// datetime-local inputs carry no zone; the page says UTC, so they are read as UTC.
function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined
  const d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`)
  return Number.isNaN(d.getTime()) ? undefined : d
}

export function formatCursor(cursor: Cursor): string {
  return `${new Date(cursor.timestamp).toISOString()}_${cursor.seq}`
}

export function parseCursor(value: string | undefined): Cursor | undefined {
  const match = value ? /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)_(\d+)$/.exec(value) : null
  if (!match?.[1] || !match[2]) return undefined
  return { timestamp: new Date(match[1]), seq: Number(match[2]) }
}

function withParam(query: URLSearchParams, key: string, value: string): string {
  const q = new URLSearchParams(query)
  q.set(key, value)
  return q.toString()
}
