/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { ConversationSummary, TreeRow } from '../queries/conversation-queries.ts'
import { type ConversationGraph, type GraphNode, type Lane } from './conversation-graph.ts'
import {
  formatInt,
  formatMs,
  formatTime,
  formatTokens,
  formatUsd,
  isoTime,
  shortId,
  shortModel,
} from './format.ts'
import { Empty } from './layout.tsx'
import {
  BRANCHES_TITLE,
  branchCount,
  TOKENS_IN_LABEL,
  TOKENS_IN_TITLE,
  TOKENS_OUT_LABEL,
  TOKENS_TOTAL_LABEL,
  tokensIn,
} from './vocabulary.ts'

// Must match `.tree-rows li` height in dashboard.css (inline styles are blocked by the CSP).
const ROW_H = 30
const LANE_W = 18

export function ConversationTable(props: { rows: ConversationSummary[] }) {
  if (props.rows.length === 0) return <Empty>No conversations yet.</Empty>
  return (
    <div class="table-wrap">
      <table class="list" data-testid="conversation-list">
        <thead>
          <tr>
            <th>Conversation</th>
            <th>Domain</th>
            <th>Last activity (UTC)</th>
            <th>Started</th>
            <th class="num">Requests</th>
            <th class="num" title={BRANCHES_TITLE}>
              Branches
            </th>
            <th class="num">Sub-agents</th>
            <th class="num">Compactions</th>
            <th class="num" title={`${TOKENS_IN_TITLE} + output`}>
              {TOKENS_TOTAL_LABEL}
            </th>
            <th>Models</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((c) => (
            <tr data-id={c.conversation_id}>
              <td>
                <a href={`/conversations/${c.conversation_id}`} class="mono">
                  {shortId(c.conversation_id)}
                </a>
              </td>
              <td>{c.domain}</td>
              <td>
                <time datetime={isoTime(c.last_at)}>{formatTime(c.last_at)}</time>
              </td>
              <td>{formatTime(c.started_at)}</td>
              <td class="num">{formatInt(c.request_count)}</td>
              <td class="num">{formatInt(branchCount(c))}</td>
              <td class="num">{formatInt(c.subtask_count)}</td>
              <td class="num">{formatInt(c.compact_count)}</td>
              <td class="num">{formatTokens(Number(c.total_tokens))}</td>
              <td>{(c.models ?? []).map(shortModel).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** Branch legend and filter links. */
export function BranchFilter(props: {
  conversationId: string
  lanes: Lane[]
  active: string | undefined
}) {
  const base = `/conversations/${props.conversationId}`
  return (
    <div class="branch-filter" data-testid="branch-filter">
      <span class="muted">Branches:</span>
      <a href={base} class={props.active ? undefined : 'active'}>
        all
      </a>
      {props.lanes.map((lane) => (
        <a
          href={`${base}?branch=${encodeURIComponent(lane.branch)}`}
          class={`lane-${lane.kind} ${props.active === lane.branch ? 'active' : ''}`}
        >
          {lane.branch} <span class="muted">({lane.requests})</span>
        </a>
      ))}
    </div>
  )
}

/**
 * The tree: one row per request in arrival order, a lane per branch drawn in SVG on the
 * left (fork and spawn edges curve across lanes), every row a link to the request.
 */
export function ConversationTree(props: { graph: ConversationGraph }) {
  const { nodes, lanes } = props.graph
  if (nodes.length === 0) return <Empty>No requests in this conversation.</Empty>
  const width = Math.max(1, lanes.length) * LANE_W + 8
  const height = nodes.length * ROW_H
  const x = (n: GraphNode) => 8 + n.lane.index * LANE_W + LANE_W / 2 - 4
  const y = (n: GraphNode) => n.index * ROW_H + ROW_H / 2
  return (
    <div class="tree" data-testid="conversation-tree">
      <svg
        class="tree-graph"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        aria-hidden="true"
      >
        {nodes.map((n) => {
          const parent = n.parentIndex === undefined ? undefined : nodes[n.parentIndex]
          if (!parent) return null
          const [x1, y1, x2, y2] = [x(parent), y(parent), x(n), y(n)]
          const d =
            x1 === x2
              ? `M${x1},${y1} L${x2},${y2}`
              : `M${x1},${y1} C${x1},${y2} ${x1},${y2} ${x2},${y2}`
          return <path d={d} class={`edge edge-${n.edge ?? 'continue'} lane-${n.lane.kind}`} />
        })}
        {nodes.map((n) => (
          <circle
            cx={x(n)}
            cy={y(n)}
            r="5"
            class={`node lane-${n.lane.kind} ${statusClass(n.row)}`}
          />
        ))}
      </svg>
      <ol class="tree-rows">
        {nodes.map((n) => (
          <li>
            <a
              href={`/requests/${n.row.request_id}`}
              class="tree-node"
              data-request-id={n.row.request_id}
            >
              <span class={`branch-tag lane-${n.lane.kind}`}>{n.lane.branch}</span>
              <span class="muted">{formatTime(n.row.timestamp).slice(11)}</span>
              <span>{n.row.request_type ?? '–'}</span>
              <span>{shortModel(n.row.model)}</span>
              <span class={statusClass(n.row)}>{n.row.status_code ?? 'no status'}</span>
              <span class="muted">{formatInt(n.row.message_count)} msgs</span>
              {n.row.tool_call_count > 0 ? (
                <span class="muted">{n.row.tool_call_count} tool calls</span>
              ) : null}
              <span class="muted" title={`${TOKENS_IN_LABEL} → ${TOKENS_OUT_LABEL}`}>
                {formatTokens(tokensIn(n.row))}→{formatTokens(n.row.output_tokens)}
              </span>
              <span class="muted">{formatMs(n.row.duration_ms)}</span>
              {n.edge === 'fork' ? (
                <span class="badge">{n.lane.kind === 'compaction' ? 'compacted' : 'branched'}</span>
              ) : null}
              {n.edge === 'spawn' ? <span class="badge">sub-agent</span> : null}
            </a>
          </li>
        ))}
      </ol>
    </div>
  )
}

/** Requests on a real time axis, one lane per branch (the nodes the tree shows). */
export function ConversationTimeline(props: { graph: ConversationGraph }) {
  const { graph } = props
  if (graph.nodes.length === 0) return null
  const times = graph.nodes.map((n) => new Date(n.row.timestamp).getTime())
  const t0 = Math.min(...times)
  const t1 = Math.max(...times)
  const span = Math.max(1, t1 - t0)
  const W = 1000
  const laneH = 22
  const H = graph.lanes.length * laneH + 24
  const px = (t: number) => 90 + ((t - t0) / span) * (W - 110)
  return (
    <div class="timeline" data-testid="conversation-timeline">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" preserveAspectRatio="xMinYMin meet" role="img">
        <title>Requests over time by branch</title>
        {graph.lanes.map((lane) => (
          <g>
            <text x="4" y={lane.index * laneH + 15} class="lane-label">
              {lane.branch.length > 12 ? `${lane.branch.slice(0, 11)}…` : lane.branch}
            </text>
            <line
              x1="90"
              x2={W - 20}
              y1={lane.index * laneH + 11}
              y2={lane.index * laneH + 11}
              class="lane-line"
            />
          </g>
        ))}
        {graph.nodes.map((n, i) => (
          <a href={`/requests/${n.row.request_id}`}>
            <circle
              cx={px(times[i] ?? t0).toFixed(1)}
              cy={n.lane.index * laneH + 11}
              r="5"
              class={`node lane-${n.lane.kind} ${statusClass(n.row)}`}
            >
              <title>{`${formatTime(n.row.timestamp)} · ${n.lane.branch}`}</title>
            </circle>
          </a>
        ))}
        <text x="90" y={H - 4} class="axis">
          {formatTime(new Date(t0))}
        </text>
        <text x={W - 20} y={H - 4} class="axis" text-anchor="end">
          {formatTime(new Date(t1))}
        </text>
      </svg>
    </div>
  )
}

export function ConversationFacts(props: { rows: TreeRow[]; graph: ConversationGraph }) {
  const { rows, graph } = props
  const first = rows[0]
  const last = rows.at(-1)
  const cost = rows.reduce((s, r) => s + (r.cost_usd === null ? 0 : Number(r.cost_usd)), 0)
  const count = (kind: Lane['kind']) => graph.lanes.filter((l) => l.kind === kind).length
  return (
    <dl class="facts">
      <dt>Domain</dt>
      <dd>{first?.domain ?? '–'}</dd>
      <dt>Requests</dt>
      <dd>{formatInt(rows.length)}</dd>
      <dt>Started</dt>
      <dd>{formatTime(first?.timestamp)}</dd>
      <dt>Last activity</dt>
      <dd>{formatTime(last?.timestamp)}</dd>
      <dt title={BRANCHES_TITLE}>Branches</dt>
      <dd>{formatInt(count('main') + count('branch') + count('compaction'))}</dd>
      <dt>Sub-agents</dt>
      <dd>{formatInt(count('subtask'))}</dd>
      <dt>Compactions</dt>
      <dd>{formatInt(count('compaction'))}</dd>
      <dt title={TOKENS_IN_TITLE}>{TOKENS_IN_LABEL}</dt>
      <dd>{formatTokens(rows.reduce((s, r) => s + tokensIn(r), 0))}</dd>
      <dt>{TOKENS_OUT_LABEL}</dt>
      <dd>{formatTokens(rows.reduce((s, r) => s + Number(r.output_tokens), 0))}</dd>
      <dt>Cost</dt>
      <dd>{formatUsd(cost)}</dd>
    </dl>
  )
}

function statusClass(row: { status_code: number | null }): string {
  return row.status_code !== null && row.status_code < 400 ? 'ok' : 'err'
}
