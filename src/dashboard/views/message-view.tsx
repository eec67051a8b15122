/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { NormalizedBlock } from '../../conversations/normalize-block.ts'
import type { NormalizedMessage } from '../../conversations/normalize-messages.ts'
import { parseRecommendation } from '../../spark/spark-recommendation.ts'
import type { MessageModel } from './message-model.ts'
import { SparkCard, type SparkView } from './spark-card.tsx'

// Enough to read; the full text is always in the raw JSON below.
const MAX_BLOCK_CHARS = 20_000

/**
 * Renders untrusted model and user content. Everything goes through hono/jsx text escaping:
 * no HTML and no links are ever made from content. The one exception is a Spark
 * recommendation, which is markdown and goes through the sanitising renderer (markdown.ts).
 */
export function Messages(props: { model: MessageModel; spark?: SparkView | undefined }) {
  const { model, spark } = props
  return (
    <div class="messages" data-testid="messages">
      {model.system !== null ? (
        <details class="system-prompt">
          <summary>
            System prompt ({model.system.length.toLocaleString('en-US')} characters)
          </summary>
          <Text text={model.system} />
        </details>
      ) : null}
      {model.hiddenReminders + model.hiddenDuplicates > 0 ? (
        <p class="muted hidden-note" data-testid="hidden-note">
          Hidden: {hiddenSummary(model)} (see raw JSON).
        </p>
      ) : null}
      {model.messages.map((m) => (
        <Message message={m} results={model.results} spark={spark} />
      ))}
      {model.response.length > 0 ? (
        <Message
          message={{ role: 'assistant', content: model.response }}
          results={model.results}
          spark={spark}
          response
        />
      ) : null}
    </div>
  )
}

function hiddenSummary(model: MessageModel): string {
  const parts: string[] = []
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`
  if (model.hiddenReminders > 0) parts.push(n(model.hiddenReminders, 'system reminder'))
  if (model.hiddenDuplicates > 0) parts.push(n(model.hiddenDuplicates, 'repeated tool block'))
  return parts.join(', ')
}

function Message(props: {
  message: NormalizedMessage
  results: Map<string, NormalizedBlock>
  spark: SparkView | undefined
  response?: boolean
}) {
  const { message, results } = props
  // A result is shown under its call; a user turn that held only paired results is not repeated.
  const blocks = message.content.filter(
    (b) =>
      !(
        b.type === 'tool_result' &&
        typeof b.tool_use_id === 'string' &&
        results.get(b.tool_use_id) === b
      ),
  )
  if (blocks.length === 0) return null
  return (
    <section class={`message role-${message.role} ${props.response ? 'response' : ''}`}>
      <div class="role">{props.response ? 'assistant (response)' : message.role}</div>
      {blocks.map((b) => (
        <Block block={b} results={results} spark={props.spark} />
      ))}
    </section>
  )
}

function Block(props: {
  block: NormalizedBlock
  results: Map<string, NormalizedBlock>
  spark: SparkView | undefined
}) {
  const b = props.block
  switch (b.type) {
    case 'text':
      return <Text text={String(b.text ?? '')} />
    case 'thinking':
      return (
        <details class="thinking">
          <summary>
            Thinking ({String(b.thinking ?? '').length.toLocaleString('en-US')} characters)
          </summary>
          <Text text={String(b.thinking ?? '')} />
        </details>
      )
    case 'redacted_thinking':
      return <p class="muted">[redacted thinking]</p>
    case 'tool_use':
    case 'server_tool_use': {
      const result = typeof b.id === 'string' ? props.results.get(b.id) : undefined
      const rec = parseRecommendation(b, result)
      if (rec) {
        return (
          <div class="tool-use" data-testid="tool-use">
            <SparkCard rec={rec} view={props.spark} />
            <details class="raw">
              <summary>Tool call and result as sent</summary>
              <Pre text={JSON.stringify(b.input, null, 2) ?? ''} />
              {result ? <ToolResult block={result} /> : null}
            </details>
          </div>
        )
      }
      return (
        <div class="tool-use" data-testid="tool-use">
          <div class="tool-head">
            <span class="tool-name">{String(b.name ?? 'tool')}</span>{' '}
            <code class="muted">{String(b.id ?? '')}</code>
          </div>
          <Pre text={JSON.stringify(b.input, null, 2) ?? ''} />
          {result ? <ToolResult block={result} /> : null}
        </div>
      )
    }
    case 'tool_result':
      return <ToolResult block={b} />
    case 'image':
    case 'document':
      return (
        <p class="muted">
          [{b.type}
          {mediaType(b)}]
        </p>
      )
    default:
      return (
        <div class="other-block">
          <div class="tool-head muted">{b.type}</div>
          <Pre text={JSON.stringify(b, null, 2) ?? ''} />
        </div>
      )
  }
}

function ToolResult(props: { block: NormalizedBlock }) {
  const content = Array.isArray(props.block.content)
    ? (props.block.content as NormalizedBlock[])
    : []
  return (
    <div
      class={`tool-result ${props.block.is_error === true ? 'error' : ''}`}
      data-testid="tool-result"
    >
      <div class="tool-head">{props.block.is_error === true ? 'result (error)' : 'result'}</div>
      {content.map((c) =>
        c.type === 'text' ? (
          <Pre text={String(c.text ?? '')} />
        ) : (
          <Pre text={JSON.stringify(c, null, 2) ?? ''} />
        ),
      )}
    </div>
  )
}

export function Text(props: { text: string }) {
  const { shown, cut } = clip(props.text)
  return (
    <div class="text">
      {shown}
      {cut > 0 ? (
        <span class="muted">{`\n… ${cut.toLocaleString('en-US')} more characters (raw JSON)`}</span>
      ) : null}
    </div>
  )
}

export function Pre(props: { text: string; limit?: number; rest?: string }) {
  const { shown, cut } = clip(props.text, props.limit)
  return (
    <pre>
      {shown}
      {cut > 0
        ? `\n… ${cut.toLocaleString('en-US')} more characters (${props.rest ?? 'raw JSON'})`
        : ''}
    </pre>
  )
}

function clip(text: string, limit = MAX_BLOCK_CHARS): { shown: string; cut: number } {
  return text.length > limit
    ? { shown: text.slice(0, limit), cut: text.length - limit }
    : { shown: text, cut: 0 }
}

function mediaType(b: NormalizedBlock): string {
  const source = b.source as { media_type?: unknown } | undefined
  return typeof source?.media_type === 'string' ? `: ${source.media_type}` : ''
}
