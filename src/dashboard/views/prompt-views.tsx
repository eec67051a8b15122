/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { PromptDefinition, PromptProblem } from '../../mcp/prompt-definition.ts'
import type { SyncStatus } from '../../mcp/sync-status.ts'
import { Empty } from './layout.tsx'

export type Preview =
  | { kind: 'text'; text: string }
  | { kind: 'missing'; names: string[] }
  | { kind: 'error'; message: string }

const hrefOf = (name: string, set: string | undefined) =>
  `/prompts/${encodeURIComponent(name)}${set ? `?set=${encodeURIComponent(set)}` : ''}`

export function PromptList(props: {
  entries: { set: string | undefined; prompt: PromptDefinition }[]
  problems: readonly PromptProblem[]
}) {
  return (
    <section>
      {props.entries.length === 0 ? (
        <Empty>No prompts.</Empty>
      ) : (
        <table class="table" data-testid="prompt-list">
          <thead>
            <tr>
              <th>Command</th>
              <th>Set</th>
              <th>Description</th>
              <th>Arguments</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map(({ set, prompt }) => (
              <tr>
                <td>
                  <a href={hrefOf(prompt.name, set)}>{`/mcp__nexus__${prompt.name}`}</a>
                </td>
                <td>{set ?? 'shared'}</td>
                <td>{prompt.description ?? ''}</td>
                <td>
                  {prompt.arguments.map((a) => (a.required ? a.name : `[${a.name}]`)).join(' ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.problems.length > 0 ? (
        <div data-testid="prompt-problems">
          <h2>Skipped files</h2>
          <ul>
            {props.problems.map((p) => (
              <li>
                <code>{`${p.file}:${p.line}`}</code> {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  )
}

export function PromptDetail(props: {
  prompt: PromptDefinition
  set: string | undefined
  values: Record<string, string>
  preview: Preview
}) {
  const { prompt, preview } = props
  return (
    <section>
      {prompt.description ? <p>{prompt.description}</p> : null}
      <form method="get" class="filters" data-testid="prompt-args">
        {props.set ? <input type="hidden" name="set" value={props.set} /> : null}
        {prompt.arguments.map((a) => (
          <label>
            {a.name}
            {a.required ? ' *' : ''}
            <input
              type="text"
              name={`arg.${a.name}`}
              value={props.values[a.name] ?? ''}
              placeholder={a.description ?? ''}
            />
          </label>
        ))}
        <button type="submit">Preview</button>
      </form>
      <h2>Preview</h2>
      {preview.kind === 'text' ? (
        <pre data-testid="prompt-preview">{preview.text}</pre>
      ) : preview.kind === 'missing' ? (
        <Empty>{`Missing required argument${preview.names.length > 1 ? 's' : ''}: ${preview.names.join(', ')}`}</Empty>
      ) : (
        <Empty>{`The template failed to render: ${preview.message}`}</Empty>
      )}
      <h2>Template</h2>
      <pre data-testid="prompt-template">{prompt.template}</pre>
    </section>
  )
}

export function SyncPanel(props: {
  status: SyncStatus | undefined
  source: string | undefined
  canSync: boolean
}) {
  if (!props.source) return null
  const { status } = props
  return (
    <div class="stat" data-testid="prompt-sync">
      <div class="stat-label">{`GitHub sync · ${props.source}`}</div>
      <div class="stat-value">
        {!status
          ? 'not run yet'
          : status.ok
            ? `${status.lastRunAt} · ${status.commit?.slice(0, 12) ?? ''}`
            : `${status.lastRunAt} · failed: ${status.error ?? ''}`}
      </div>
      {status?.result?.changed ? (
        <div class="stat-hint">
          {`${status.result.added.length} added, ${status.result.updated.length} updated, ${status.result.unchanged} unchanged, ${status.result.refused.length} refused`}
        </div>
      ) : status?.ok ? (
        <div class="stat-hint">unchanged since the previous sync</div>
      ) : null}
      {props.canSync ? (
        <form method="post" action="/prompts/sync" class="inline">
          <button type="submit">Sync now</button>
        </form>
      ) : null}
    </div>
  )
}
