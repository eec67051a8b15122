/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono'
import { NotFoundError } from '../../errors.ts'
import type { DashboardEnv } from '../auth/middleware.ts'
import type { DashboardDeps } from '../dashboard-deps.ts'
import {
  findConversationRequests,
  listConversations,
  TREE_LIMIT,
  type ConversationCursor,
} from '../queries/conversation-queries.ts'
import { layoutConversation, TREE_PAGE, visibleGraph } from '../views/conversation-graph.ts'
import {
  BranchFilter,
  ConversationFacts,
  ConversationTable,
  ConversationTimeline,
  ConversationTree,
} from '../views/conversation-views.tsx'
import { findAnalysis } from '../../analysis/analysis-store.ts'
import { AnalysisPanel } from '../views/analysis-panel.tsx'
import { analysisNotice } from './analysis-page-routes.tsx'
import { shortId } from '../views/format.ts'
import { Layout, PageTitle } from '../views/layout.tsx'
import { SparkCard } from '../views/spark-card.tsx'
import type { SparkClient } from '../../spark/spark-client.ts'
import { sparkCardsOf } from '../../spark/spark-routes.ts'

/** Conversations: the list, and one conversation as a tree and a timeline. */
export function conversationPageRoutes(deps: DashboardDeps & { spark?: SparkClient | undefined }) {
  const app = new Hono<DashboardEnv>()

  app.get('/conversations', async (c) => {
    const before = parseConversationCursor(c.req.query('before'))
    const domain = c.req.query('domain')?.slice(0, 253) || undefined
    const page = await listConversations(deps.db, c.var.viewer.scope, {
      ...(before ? { before } : {}),
      ...(domain ? { domain } : {}),
    })
    const params = new URLSearchParams(domain ? { domain } : {})
    if (page.next) params.set('before', `${page.next.lastAt.toISOString()}_${page.next.id}`)
    return c.html(
      <Layout title="Conversations" section="conversations" viewer={c.var.viewer}>
        <PageTitle sub="By last activity. Requests are grouped into conversations by the linker.">
          Conversations
        </PageTitle>
        <form method="get" action="/conversations" class="filters">
          <label>
            Domain <input name="domain" value={domain ?? ''} />
          </label>
          <button type="submit">Filter</button>
        </form>
        <div
          data-live-src={
            before
              ? undefined
              : `/fragments/conversations${domain ? `?domain=${encodeURIComponent(domain)}` : ''}`
          }
        >
          <ConversationTable rows={page.rows} />
        </div>
        <nav class="pager">
          {before ? (
            <a href={`/conversations${domain ? `?domain=${encodeURIComponent(domain)}` : ''}`}>
              « Newest
            </a>
          ) : null}
          {page.next ? <a href={`/conversations?${params}`}>Older »</a> : null}
        </nav>
      </Layout>,
    )
  })

  app.get('/fragments/conversations', async (c) => {
    const domain = c.req.query('domain')?.slice(0, 253) || undefined
    const page = await listConversations(deps.db, c.var.viewer.scope, domain ? { domain } : {})
    return c.html(<ConversationTable rows={page.rows} />)
  })

  app.get('/conversations/:id', async (c) => {
    const id = c.req.param('id')
    const view = readView(c.req.query('branch'), c.req.query('offset'))
    const { rows, truncated } = await findConversationRequests(deps.db, c.var.viewer.scope, id)
    if (rows.length === 0) throw new NotFoundError('No such conversation')
    const full = layoutConversation(rows)
    const visible = visibleGraph(full, rows, view)
    const branch = view.branch ?? 'main'
    const analysis = await findAnalysis(deps.db, id, branch)
    const working = analysis?.status === 'pending' || analysis?.status === 'processing'
    const latest = rows.filter((r) => (r.branch_id ?? 'main') === branch && !r.is_subtask).at(-1)
    const spark = latest
      ? await sparkCardsOf(deps.db, deps.spark, c.var.viewer, latest.request_id)
      : undefined
    return c.html(
      <Layout title={`Conversation ${shortId(id)}`} section="conversations" viewer={c.var.viewer}>
        <PageTitle sub={<span class="mono">{id}</span>}>Conversation</PageTitle>
        <ConversationFacts rows={rows} graph={full} />
        {truncated ? <p class="muted">Showing the first {TREE_LIMIT} requests.</p> : null}
        {rows.some((r) => (r.branch_id ?? 'main') === branch) ? (
          <div
            data-live-src={`/fragments/analysis/${id}/${encodeURIComponent(branch)}`}
            data-live-domain={rows[0]?.domain}
            data-live-pending={working ? '' : undefined}
          >
            <AnalysisPanel
              conversationId={id}
              branchId={branch}
              analysis={analysis}
              canWrite={c.var.viewer.canWrite}
              notice={analysisNotice(c.req.query('notice'))}
            />
          </div>
        ) : null}
        {spark && latest ? (
          <section data-testid="conversation-spark">
            <h2>Spark recommendations</h2>
            <p class="muted">
              In the latest request of this branch,{' '}
              <a href={`/requests/${latest.request_id}`}>{shortId(latest.request_id)}</a>.
            </p>
            {spark.recs.map((rec) => (
              <SparkCard rec={rec} view={spark.view} />
            ))}
          </section>
        ) : null}
        <h2>Timeline</h2>
        <ConversationTimeline graph={visible.graph} />
        <h2>Tree</h2>
        <BranchFilter conversationId={id} lanes={full.lanes} active={view.branch} />
        <div
          data-live-src={`/fragments/conversations/${id}?${viewQuery(view)}`}
          data-live-domain={rows[0]?.domain}
        >
          <Tree id={id} view={view} visible={visible} />
        </div>
      </Layout>,
    )
  })

  app.get('/fragments/conversations/:id', async (c) => {
    const id = c.req.param('id')
    const view = readView(c.req.query('branch'), c.req.query('offset'))
    const { rows } = await findConversationRequests(deps.db, c.var.viewer.scope, id)
    const visible = visibleGraph(layoutConversation(rows), rows, view)
    return c.html(<Tree id={id} view={view} visible={visible} />)
  })

  return app
}

interface TreeView {
  branch: string | undefined
  offset: number
}

function readView(branch: string | undefined, offset: string | undefined): TreeView {
  const n = Number(offset)
  return {
    branch: branch?.slice(0, 200) || undefined,
    offset: Number.isInteger(n) && n > 0 ? n : 0,
  }
}

function viewQuery(view: TreeView, offset = view.offset): string {
  const q = new URLSearchParams()
  if (view.branch) q.set('branch', view.branch)
  if (offset > 0) q.set('offset', String(offset))
  return q.toString()
}

function Tree(props: { id: string; view: TreeView; visible: ReturnType<typeof visibleGraph> }) {
  const { graph, total, offset } = props.visible
  const base = `/conversations/${props.id}`
  const link = (to: number) => {
    const q = viewQuery(props.view, to)
    return q ? `${base}?${q}` : base
  }
  return (
    <>
      <ConversationTree graph={graph} />
      {total > TREE_PAGE ? (
        <nav class="pager" data-testid="tree-pager">
          <span class="muted">
            Requests {offset + 1}–{offset + graph.nodes.length} of {total}
          </span>
          {offset > 0 ? <a href={link(Math.max(0, offset - TREE_PAGE))}>« Earlier</a> : null}
          {offset + TREE_PAGE < total ? <a href={link(offset + TREE_PAGE)}>Later »</a> : null}
        </nav>
      ) : null}
    </>
  )
}

function parseConversationCursor(value: string | undefined): ConversationCursor | undefined {
  const match = value
    ? /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)_([0-9a-f-]{36})$/i.exec(value)
    : null
  if (!match?.[1] || !match[2]) return undefined
  return { lastAt: new Date(match[1]), id: match[2] }
}
