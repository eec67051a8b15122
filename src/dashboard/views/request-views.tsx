/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { RequestDetail, RequestFilters, RequestSummary } from '../queries/request-queries.ts'
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
import type { MessageModel } from './message-model.ts'
import { Messages, Pre } from './message-view.tsx'
import type { SparkView } from './spark-card.tsx'
import { TOKENS_IN_LABEL, TOKENS_IN_TITLE, TOKENS_OUT_LABEL, tokensIn } from './vocabulary.ts'

// A page stays usable with a multi-megabyte body; the download has all of it.
const RAW_CHARS = 200_000

export function RequestRows(props: { rows: RequestSummary[] }) {
  return (
    <>
      {props.rows.map((r) => (
        <tr data-id={r.request_id}>
          <td>
            <a href={`/requests/${r.request_id}`}>
              <time datetime={isoTime(r.timestamp)}>{formatTime(r.timestamp)}</time>
            </a>
          </td>
          <td>{r.domain}</td>
          <td>{shortModel(r.model)}</td>
          <td>{r.request_type ?? r.path}</td>
          <td class={r.status_code !== null && r.status_code < 400 && !r.error_type ? 'ok' : 'err'}>
            {r.status_code ?? '–'}
            {r.stream_end && r.stream_end !== 'done' ? (
              <span class="muted"> {r.stream_end}</span>
            ) : null}
          </td>
          <td class="num">{formatTokens(tokensIn(r))}</td>
          <td class="num">{formatTokens(r.output_tokens)}</td>
          <td class="num">{formatUsd(r.cost_usd === null ? null : Number(r.cost_usd))}</td>
          <td class="num">{formatMs(r.duration_ms)}</td>
          <td class="num">
            {r.message_count}
            {r.tool_call_count > 0 ? ` / ${r.tool_call_count}` : ''}
          </td>
          <td>
            {r.conversation_id ? (
              <a href={`/conversations/${r.conversation_id}`} class="mono">
                {shortId(r.conversation_id)}
                {r.branch_id && r.branch_id !== 'main' ? ` · ${r.branch_id}` : ''}
              </a>
            ) : (
              '–'
            )}
          </td>
        </tr>
      ))}
    </>
  )
}

export function RequestTable(props: { rows: RequestSummary[]; liveSrc: string | undefined }) {
  return (
    <div class="table-wrap">
      <table class="list" data-testid="request-list">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Domain</th>
            <th>Model</th>
            <th>Type</th>
            <th>Status</th>
            <th class="num" title={TOKENS_IN_TITLE}>
              {TOKENS_IN_LABEL}
            </th>
            <th class="num">{TOKENS_OUT_LABEL}</th>
            <th class="num">Cost</th>
            <th class="num">Duration</th>
            <th class="num" title="messages / tool calls">
              Msgs
            </th>
            <th>Conversation</th>
          </tr>
        </thead>
        <tbody id="request-rows" data-live-src={props.liveSrc}>
          <RequestRows rows={props.rows} />
        </tbody>
      </table>
    </div>
  )
}

export interface FilterChoices {
  domains: string[]
  models: string[]
  types: string[]
}

export function RequestFilterForm(props: {
  filters: RequestFilters
  choices: FilterChoices
  raw: Record<string, string>
}) {
  const { raw, choices } = props
  return (
    <form method="get" action="/requests" class="filters" data-testid="request-filters">
      <Select name="domain" label="Domain" value={raw.domain} options={choices.domains} />
      <Select name="model" label="Model" value={raw.model} options={choices.models} />
      <Select name="type" label="Type" value={raw.type} options={choices.types} />
      <Select
        name="status"
        label="Status"
        value={raw.status}
        options={['ok', 'error', '400', '401', '429', '500', '529']}
      />
      <label>
        From <input type="datetime-local" name="from" value={raw.from ?? ''} />
      </label>
      <label>
        To <input type="datetime-local" name="to" value={raw.to ?? ''} />
      </label>
      <label class="grow">
        Search{' '}
        <input
          type="search"
          name="q"
          value={raw.q ?? ''}
          placeholder="words in the prompt, answer or error"
        />
      </label>
      <button type="submit">Filter</button>
      <a href="/requests">Reset</a>
    </form>
  )
}

function Select(props: {
  name: string
  label: string
  value: string | undefined
  options: string[]
}) {
  const options =
    props.value && !props.options.includes(props.value)
      ? [props.value, ...props.options]
      : props.options
  return (
    <label>
      {props.label}{' '}
      <select name={props.name}>
        <option value="">any</option>
        {options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </label>
  )
}

export function RequestDetailView(props: {
  row: RequestDetail
  model: MessageModel
  spark?: SparkView | undefined
}) {
  const r = props.row
  return (
    <div class="detail">
      <dl class="facts" data-testid="request-facts">
        <dt>Time</dt>
        <dd>{formatTime(r.timestamp)} UTC</dd>
        <dt>Domain</dt>
        <dd>{r.domain}</dd>
        <dt>Account</dt>
        <dd class="mono">{r.account_id ?? '–'}</dd>
        <dt>Endpoint</dt>
        <dd class="mono">
          {r.method} {r.path}
          {r.query ? `?${r.query}` : ''}
        </dd>
        <dt>Model</dt>
        <dd>{r.model ?? '–'}</dd>
        <dt>Type</dt>
        <dd>{r.request_type ?? '–'}</dd>
        <dt>Status</dt>
        <dd class={r.status_code !== null && r.status_code < 400 && !r.error_type ? 'ok' : 'err'}>
          {r.status_code ?? 'none'}
          {r.error_type ? ` · ${r.error_type}` : ''}
        </dd>
        {r.error ? (
          <>
            <dt>Error</dt>
            <dd class="err">{r.error}</dd>
          </>
        ) : null}
        <dt>Stream end</dt>
        <dd data-testid="stream-end">
          {r.is_streaming ? (r.stream_end ?? '–') : `not streamed (${r.stream_end ?? '–'})`}
        </dd>
        <dt>Duration</dt>
        <dd>{formatMs(r.duration_ms)}</dd>
        <dt>First token</dt>
        <dd>{formatMs(r.first_token_ms)}</dd>
        <dt>Tokens</dt>
        <dd>
          in {formatInt(r.input_tokens)} · out {formatInt(r.output_tokens)} · cache write{' '}
          {formatInt(r.cache_creation_input_tokens)} · cache read{' '}
          {formatInt(r.cache_read_input_tokens)}
        </dd>
        <dt>Cost</dt>
        <dd data-testid="cost">
          {r.cost_usd === null ? 'unpriced model' : formatUsd(Number(r.cost_usd))}
        </dd>
        <dt>Sizes</dt>
        <dd>
          request {formatInt(r.body_bytes)} B · response {formatInt(r.response_bytes)} B
        </dd>
        <dt>Upstream id</dt>
        <dd class="mono">{r.upstream_request_id ?? '–'}</dd>
        {r.source ? (
          <>
            <dt>Source</dt>
            <dd data-testid="source">
              imported from a Claude Code transcript (message{' '}
              <span class="mono">{r.message_id ?? '–'}</span>), not proxied
            </dd>
          </>
        ) : null}
        <dt>Conversation</dt>
        <dd>
          {r.conversation_id ? (
            <a href={`/conversations/${r.conversation_id}`} data-testid="conversation-link">
              {shortId(r.conversation_id)} · {r.branch_id ?? 'main'}
            </a>
          ) : (
            'not linked'
          )}
          {r.parent_request_id ? (
            <>
              {' · parent '}
              <a href={`/requests/${r.parent_request_id}`}>{shortId(r.parent_request_id)}</a>
            </>
          ) : null}
          {r.is_subtask && r.parent_task_request_id ? (
            <>
              {' · sub-agent of '}
              <a href={`/requests/${r.parent_task_request_id}`}>
                {shortId(r.parent_task_request_id)}
              </a>
            </>
          ) : null}
        </dd>
        <dt>Session</dt>
        <dd class="mono">
          {r.session_id ?? '–'}
          {r.agent_id ? ` · agent ${r.agent_id}` : ''}
        </dd>
      </dl>

      <h2>Conversation</h2>
      {props.model.messages.length === 0 && props.model.response.length === 0 ? (
        <Empty>No messages in this request.</Empty>
      ) : (
        <Messages model={props.model} spark={props.spark} />
      )}

      <h2>Headers</h2>
      <div class="two-col">
        <HeaderTable title="Request (secrets redacted)" headers={r.request_headers} />
        <HeaderTable title="Response" headers={r.response_headers} />
      </div>

      <h2>Raw JSON</h2>
      <details class="raw">
        <summary>Request body</summary>
        <Pre text={JSON.stringify(r.body, null, 2) ?? 'null'} limit={RAW_CHARS} rest="download" />
        <a href={`/requests/${r.request_id}/raw/request`} download>
          download
        </a>
      </details>
      <details class="raw">
        <summary>Response body</summary>
        <Pre
          text={JSON.stringify(r.response_body, null, 2) ?? 'null'}
          limit={RAW_CHARS}
          rest="download"
        />
        <a href={`/requests/${r.request_id}/raw/response`} download>
          download
        </a>
      </details>
    </div>
  )
}

function HeaderTable(props: { title: string; headers: unknown }) {
  const entries =
    typeof props.headers === 'object' && props.headers !== null
      ? Object.entries(props.headers as Record<string, unknown>).sort(([a], [b]) =>
          a.localeCompare(b),
        )
      : []
  return (
    <div>
      <h3>{props.title}</h3>
      {entries.length === 0 ? (
        <Empty>none</Empty>
      ) : (
        <table class="headers">
          {entries.map(([k, v]) => (
            <tr>
              <th>{k}</th>
              <td>{String(v)}</td>
            </tr>
          ))}
        </table>
      )}
    </div>
  )
}
