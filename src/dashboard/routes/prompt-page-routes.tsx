/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono'
import { missingArguments } from '../../mcp/prompt-definition.ts'
import type { PromptsPageDeps } from '../../mcp/create-mcp.ts'
import { inScope } from '../auth/scope.ts'
import { requireWrite, type DashboardEnv } from '../auth/middleware.ts'
import { Empty, Layout, PageTitle } from '../views/layout.tsx'
import { PromptList, PromptDetail, SyncPanel, type Preview } from '../views/prompt-views.tsx'

/** Prompts: the MCP prompt sets a viewer may see, one prompt with a rendered preview, sync. */
export type { PromptsPageDeps }

export function promptPageRoutes(deps: PromptsPageDeps) {
  const app = new Hono<DashboardEnv>()
  const visible = (scope: DashboardEnv['Variables']['viewer']['scope']) =>
    deps.catalog.entries().filter((e) => e.set === undefined || inScope(scope, e.set))

  app.get('/prompts', async (c) => {
    const q = (c.req.query('q') ?? '').trim().toLowerCase()
    const entries = visible(c.var.viewer.scope).filter(
      ({ prompt }) =>
        q === '' ||
        prompt.name.toLowerCase().includes(q) ||
        (prompt.description ?? '').toLowerCase().includes(q),
    )
    const problems = c.var.viewer.scope.kind === 'all' ? deps.catalog.problems() : []
    return c.html(
      <Layout title="Prompts" section="prompts" viewer={c.var.viewer}>
        <PageTitle sub={`MCP prompts from ${deps.catalog.dir}, served at /mcp on the proxy port`}>
          Prompts
        </PageTitle>
        <SyncPanel
          status={await deps.readStatus()}
          source={deps.source}
          canSync={!!deps.syncNow && c.var.viewer.canWrite}
        />
        <form method="get" action="/prompts" class="filters">
          <input
            type="search"
            name="q"
            value={q}
            placeholder="Search name or description"
            data-testid="prompt-search"
          />
          <button type="submit">Search</button>
        </form>
        <PromptList entries={entries} problems={problems} />
      </Layout>,
    )
  })

  app.get('/prompts/:name', (c) => {
    const set = c.req.query('set') || undefined
    const entry = visible(c.var.viewer.scope).find(
      (e) => e.prompt.name === c.req.param('name') && e.set === set,
    )
    if (!entry) {
      return c.html(
        <Layout title="Not found" section="prompts" viewer={c.var.viewer}>
          <PageTitle>Prompt not found</PageTitle>
          <Empty>No such prompt, or it is outside what you may see.</Empty>
        </Layout>,
        404,
      )
    }
    const values: Record<string, string> = {}
    for (const arg of entry.prompt.arguments) {
      const value = c.req.query(`arg.${arg.name}`)
      if (value !== undefined) values[arg.name] = value
    }
    let preview: Preview
    const missing = missingArguments(entry.prompt, values)
    if (missing.length > 0) preview = { kind: 'missing', names: missing }
    else {
      try {
        preview = { kind: 'text', text: entry.prompt.render(values) }
      } catch (err) {
        preview = { kind: 'error', message: err instanceof Error ? err.message : String(err) }
      }
    }
    return c.html(
      <Layout title={entry.prompt.name} section="prompts" viewer={c.var.viewer}>
        <PageTitle
          sub={entry.set ? `domain ${entry.set}` : 'shared'}
        >{`/mcp__nexus__${entry.prompt.name}`}</PageTitle>
        <PromptDetail prompt={entry.prompt} set={entry.set} values={values} preview={preview} />
      </Layout>,
    )
  })

  app.post('/prompts/sync', requireWrite(), async (c) => {
    if (deps.syncNow) await deps.syncNow()
    return c.redirect('/prompts', 303)
  })
  return app
}
