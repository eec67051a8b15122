/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { UsageSums } from '../../usage/usage-sums.ts'
import type { ChartSpec } from './chart-data.ts'
import { formatInt, formatTime, formatTokens, formatUsd, percent } from './format.ts'
import { Empty } from './layout.tsx'

export function Chart(props: { spec: ChartSpec; testid?: string }) {
  const empty = props.spec.series.every((s) => s.values.every((v) => v === 0))
  return (
    <figure class="chart-box" data-testid={props.testid}>
      <figcaption>{props.spec.title}</figcaption>
      {empty ? (
        <Empty>No data in this range.</Empty>
      ) : (
        <div class="chart" data-chart={JSON.stringify(props.spec)}></div>
      )}
    </figure>
  )
}

export interface GroupTotal {
  key: string
  sums: UsageSums
}

export function TotalsTable(props: { title: string; groups: GroupTotal[]; testid?: string }) {
  return (
    <div class="card">
      <h3>{props.title}</h3>
      {props.groups.length === 0 ? (
        <Empty>Nothing yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="list compact" data-testid={props.testid}>
            <thead>
              <tr>
                <th>{props.title.split(' ').at(-1)}</th>
                <th class="num">Requests</th>
                <th class="num">Errors</th>
                <th class="num">Tokens</th>
                <th class="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {props.groups.map((g) => (
                <tr>
                  <td>{g.key === '' ? '(unknown)' : g.key}</td>
                  <td class="num">{formatInt(g.sums.requests)}</td>
                  <td class="num">{formatInt(g.sums.errorRequests)}</td>
                  <td class="num">{formatTokens(g.sums.tokens.total)}</td>
                  <td class="num">
                    {formatUsd(g.sums.costUsd)}
                    {g.sums.unpricedRequests > 0 ? (
                      <span class="muted" title="requests with an unpriced model">
                        {' '}
                        +?
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}

export interface WindowView {
  accountId: string
  domains: string[]
  start: Date
  end: Date
  /** Share of the 5 hours gone by. */
  elapsed: number
  /** Upstream's own utilisation of the binding window (unified rate-limit headers), if known. */
  utilization: number | null
  resetAt: Date
  source: 'rate_limit_headers' | 'usage_blocks'
  sums: UsageSums
  projectedTokens: number | null
  projectedCostUsd: number | null
  tokensPerMinute: number | null
}

/** A half-circle gauge per account: upstream's utilisation when it reports one, else time. */
export function WindowGauge(props: { w: WindowView }) {
  const { w } = props
  const fraction = w.utilization ?? w.elapsed
  const R = 60
  const length = Math.PI * R
  return (
    <div class="card gauge-card" data-testid="window-gauge">
      <svg viewBox="0 0 140 80" width="180" height="103" role="img">
        <title>
          {w.utilization !== null
            ? `${percent(w.utilization)} of the limit used`
            : `${percent(w.elapsed)} of the window elapsed`}
        </title>
        <path d="M10,70 A60,60 0 0 1 130,70" class="gauge-track" fill="none" stroke-width="12" />
        <path
          d="M10,70 A60,60 0 0 1 130,70"
          class={`gauge-fill ${fraction > 0.9 ? 'hot' : fraction > 0.7 ? 'warm' : ''}`}
          fill="none"
          stroke-width="12"
          stroke-dasharray={`${(fraction * length).toFixed(1)} ${length.toFixed(1)}`}
        />
        <text x="70" y="64" text-anchor="middle" class="gauge-text">
          {percent(fraction)}
        </text>
      </svg>
      <div>
        <div class="mono">{w.accountId === '' ? '(unknown account)' : w.accountId}</div>
        <div class="muted">{w.domains.join(', ')}</div>
        <div>
          {w.utilization !== null
            ? 'used of the 5-hour limit (upstream)'
            : 'of the 5-hour window elapsed'}
        </div>
        <div>
          Window {formatTime(w.start).slice(11, 16)}–{formatTime(w.end).slice(11, 16)} UTC · resets{' '}
          {formatTime(w.resetAt)}
        </div>
        <div>
          {formatTokens(w.sums.tokens.total)} tokens · {formatUsd(w.sums.costUsd)} ·{' '}
          {formatInt(w.sums.requests)} requests
        </div>
        {w.projectedTokens !== null ? (
          <div class="muted">
            at {formatTokens(Math.round(w.tokensPerMinute ?? 0))}/min →{' '}
            {formatTokens(w.projectedTokens)} tokens, {formatUsd(w.projectedCostUsd)} by the
            window's end
          </div>
        ) : null}
      </div>
    </div>
  )
}
