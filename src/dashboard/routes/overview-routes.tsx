/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono'
import { sumsOf } from '../../usage/usage-sums.ts'
import type { DashboardEnv } from '../auth/middleware.ts'
import type { DashboardDeps } from '../dashboard-deps.ts'
import { listRequests } from '../queries/request-queries.ts'
import { sumRollup } from '../queries/rollup-queries.ts'
import { chartFromRows, totalTokens } from '../views/chart-data.ts'
import { formatInt, formatTokens, formatUsd } from '../views/format.ts'
import { Layout, PageTitle, Stat } from '../views/layout.tsx'
import { RequestTable } from '../views/request-views.tsx'
import { totalsBy } from '../views/usage-model.ts'
import { Chart, TotalsTable } from '../views/usage-views.tsx'

const HOUR_MS = 60 * 60 * 1000

/** The landing page: the last 24 hours at a glance. */
export function overviewRoutes(deps: DashboardDeps) {
  const app = new Hono<DashboardEnv>()

  async function load(viewer: DashboardEnv['Variables']['viewer']) {
    const to = new Date(deps.clock())
    const from = new Date(to.getTime() - 24 * HOUR_MS)
    const [rows, recent] = await Promise.all([
      sumRollup(deps.db, viewer.scope, { from, to, by: ['hour', 'domain', 'model'] }),
      listRequests(deps.db, viewer.scope, {}, { limit: 10 }),
    ])
    return { from, to, rows, recent: recent.rows }
  }

  type Data = Awaited<ReturnType<typeof load>>

  function LiveStats(props: { data: Data }) {
    const totals = sumsOf(props.data.rows)
    const domains = totalsBy(props.data.rows, (r) => r.domain ?? '')
    return (
      <div class="stats" data-testid="overview-stats">
        <Stat
          label="Requests (24 h)"
          value={formatInt(totals.requests)}
          hint={`${formatInt(totals.errorRequests)} errors`}
          testid="stat-requests"
        />
        <Stat
          label="Tokens (24 h)"
          value={formatTokens(totals.tokens.total)}
          hint={`${formatTokens(totals.tokens.input)} in · ${formatTokens(totals.tokens.output)} out · ${formatTokens(totals.tokens.cacheRead)} cache read`}
          testid="stat-tokens"
        />
        <Stat
          label="Cost (24 h)"
          value={formatUsd(totals.costUsd)}
          hint="at list prices"
          testid="stat-cost"
        />
        <Stat
          label="Active domains"
          value={formatInt(domains.length)}
          hint={domains
            .slice(0, 3)
            .map((d) => d.key)
            .join(', ')}
          testid="stat-domains"
        />
      </div>
    )
  }

  function Live(props: { data: Data }) {
    return (
      <>
        <LiveStats data={props.data} />
        <h2>Latest requests</h2>
        <RequestTable rows={props.data.recent} liveSrc={undefined} />
      </>
    )
  }

  app.get('/', async (c) => {
    const viewer = c.var.viewer
    const data = await load(viewer)
    const common = { rows: data.rows, from: data.from, to: data.to, stepMs: HOUR_MS }
    const requests = chartFromRows({
      ...common,
      title: 'Requests per hour by domain',
      kind: 'bars',
      unit: 'count',
      group: (r) => r.domain ?? '',
      value: (r) => Number(r.requests),
    })
    const tokens = chartFromRows({
      ...common,
      title: 'Tokens per hour by model',
      kind: 'line',
      unit: 'tokens',
      group: (r) => r.model ?? '',
      value: totalTokens,
    })
    return c.html(
      <Layout title="Overview" section="overview" viewer={viewer} charts>
        <PageTitle sub="Last 24 hours, UTC. Updates live.">Overview</PageTitle>
        <div id="overview-live" data-live-src="/fragments/overview">
          <Live data={data} />
        </div>
        <div class="grid-2">
          <Chart spec={requests} testid="chart-requests" />
          <Chart spec={tokens} testid="chart-tokens" />
        </div>
        <div class="grid-2">
          <TotalsTable
            title="By domain"
            groups={totalsBy(data.rows, (r) => r.domain ?? '')}
            testid="domains-table"
          />
          <TotalsTable title="By model" groups={totalsBy(data.rows, (r) => r.model ?? '')} />
        </div>
      </Layout>,
    )
  })

  app.get('/fragments/overview', async (c) => {
    return c.html(<Live data={await load(c.var.viewer)} />)
  })

  return app
}
