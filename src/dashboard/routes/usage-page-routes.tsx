/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono'
import { sumsOf } from '../../usage/usage-sums.ts'
import type { DashboardEnv } from '../auth/middleware.ts'
import type { DashboardDeps } from '../dashboard-deps.ts'
import { findActiveHours, findRateLimitRows, sumRollup } from '../queries/rollup-queries.ts'
import { chartFromRows, totalTokens } from '../views/chart-data.ts'
import { formatInt, formatTokens, formatUsd } from '../views/format.ts'
import { Empty, Layout, PageTitle, Stat } from '../views/layout.tsx'
import { currentWindows, totalsBy } from '../views/usage-model.ts'
import { Chart, TotalsTable, WindowGauge } from '../views/usage-views.tsx'

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
// Blocks chain through continuous use; a week covers all but non-stop use (as the usage API).
const BLOCK_LOOKBACK_MS = 7 * DAY_MS

/** Usage: the current 5-hour windows, then daily (30 days) and hourly (48 hours) charts. */
export function usagePageRoutes(deps: DashboardDeps) {
  const app = new Hono<DashboardEnv>()

  app.get('/usage', async (c) => {
    const scope = c.var.viewer.scope
    const to = new Date(deps.clock())
    const dayFrom = new Date(to.getTime() - 29 * DAY_MS)
    const hourFrom = new Date(to.getTime() - 47 * HOUR_MS)
    // Windows: the block chain needs each account's active hours (a week back); the block
    // itself lies within the last five hours, whose rows give its sums and domains.
    // Each chart and table gets the grouping it shows, so no query returns more rows than
    // its view needs (the driver's row parsing, not the SQL, was most of this page's time).
    const [
      dailyByModel,
      dailyByDomain,
      hourlyByModel,
      hourlyByDomain,
      hours,
      blockDomains,
      rateLimits,
    ] = await Promise.all([
      sumRollup(deps.db, scope, { from: dayFrom, to, by: ['day', 'model'] }),
      sumRollup(deps.db, scope, { from: dayFrom, to, by: ['day', 'domain'] }),
      sumRollup(deps.db, scope, { from: hourFrom, to, by: ['hour', 'model'] }),
      sumRollup(deps.db, scope, { from: hourFrom, to, by: ['hour', 'domain'] }),
      findActiveHours(deps.db, scope, { from: new Date(to.getTime() - BLOCK_LOOKBACK_MS), to }),
      sumRollup(deps.db, scope, {
        from: new Date(to.getTime() - 5 * HOUR_MS),
        to,
        by: ['account', 'hour', 'domain'],
      }),
      findRateLimitRows(deps.db, scope),
    ])
    const windows = currentWindows({ hours, blockDomains, rateLimits, now: to })
    const totals = sumsOf(dailyByDomain)
    const day = { from: dayFrom, to, stepMs: DAY_MS }
    const hour = { from: hourFrom, to, stepMs: HOUR_MS }
    const byModel = (r: { model?: string }) => r.model ?? ''
    const byDomain = (r: { domain?: string }) => r.domain ?? ''
    return c.html(
      <Layout title="Usage" section="usage" viewer={c.var.viewer} charts>
        <PageTitle sub="Tokens and list-price cost. Days and hours in UTC.">Usage</PageTitle>
        <h2>Current 5-hour windows</h2>
        {windows.length === 0 ? (
          <Empty>No account has an active 5-hour window.</Empty>
        ) : (
          <div class="gauges">
            {windows.map((w) => (
              <WindowGauge w={w} />
            ))}
          </div>
        )}
        <h2>Last 30 days</h2>
        <div class="stats">
          <Stat
            label="Requests"
            value={formatInt(totals.requests)}
            hint={`${formatInt(totals.errorRequests)} errors`}
          />
          <Stat
            label="Tokens"
            value={formatTokens(totals.tokens.total)}
            hint={`${formatTokens(totals.tokens.output)} output`}
          />
          <Stat
            label="Cost"
            value={formatUsd(totals.costUsd)}
            hint={
              totals.unpricedRequests > 0
                ? `${formatInt(totals.unpricedRequests)} unpriced requests`
                : 'at list prices'
            }
          />
        </div>
        <div class="grid-2">
          <Chart
            spec={chartFromRows({
              ...day,
              rows: dailyByModel,
              title: 'Daily tokens by model',
              kind: 'bars',
              unit: 'tokens',
              group: byModel,
              value: totalTokens,
            })}
            testid="chart-daily-model"
          />
          <Chart
            spec={chartFromRows({
              ...day,
              rows: dailyByDomain,
              title: 'Daily cost by domain (USD)',
              kind: 'bars',
              unit: 'usd',
              group: byDomain,
              value: (r) => Number(r.cost_nano_usd) / 1e9,
            })}
            testid="chart-daily-domain"
          />
        </div>
        <h2>Last 48 hours</h2>
        <div class="grid-2">
          <Chart
            spec={chartFromRows({
              ...hour,
              rows: hourlyByModel,
              title: 'Hourly tokens by model',
              kind: 'line',
              unit: 'tokens',
              group: byModel,
              value: totalTokens,
            })}
            testid="chart-hourly-model"
          />
          <Chart
            spec={chartFromRows({
              ...hour,
              rows: hourlyByDomain,
              title: 'Hourly requests by domain',
              kind: 'line',
              unit: 'count',
              group: byDomain,
              value: (r) => Number(r.requests),
            })}
            testid="chart-hourly-domain"
          />
        </div>
        <div class="grid-2">
          <TotalsTable
            title="30 days by domain"
            groups={totalsBy(dailyByDomain, byDomain)}
            testid="usage-domains"
          />
          <TotalsTable title="30 days by model" groups={totalsBy(dailyByModel, byModel)} />
        </div>
      </Layout>,
    )
  })

  return app
}
