/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { AnalysisRow } from '../../analysis/analysis-store.ts'
import type { ConversationAnalysis } from '../../analysis/analysis-schema.ts'
import { InlineMarkdown, Markdown } from './markdown-view.tsx'

export interface AnalysisPanelProps {
  conversationId: string
  branchId: string
  analysis: AnalysisRow | undefined
  canWrite: boolean
  /** A message after a refused request (the limit, a running job). */
  notice?: string | undefined
}

/**
 * The AI analysis of one branch. What the model wrote is markdown, rendered by markdown.ts:
 * every character escaped, then only its own few tags and http(s)/mailto links, so markup
 * in an answer stays inert text.
 */
export function AnalysisPanel(props: AnalysisPanelProps) {
  const a = props.analysis
  const action = `/conversations/${props.conversationId}/analysis`
  return (
    <section class="analysis-panel" data-testid="analysis-panel" data-status={a?.status ?? 'none'}>
      <h2>AI analysis · {props.branchId}</h2>
      {props.notice ? <p class="notice">{props.notice}</p> : null}
      {a ? <Status row={a} /> : <p class="muted">This branch has not been analysed.</p>}
      {a?.status === 'completed' && a.result ? (
        <Result result={a.result as ConversationAnalysis} />
      ) : null}
      {a?.status === 'completed' && !a.result && a.rawText ? (
        <Markdown class="analysis-raw" text={a.rawText} />
      ) : null}
      {props.canWrite && a?.status !== 'pending' && a?.status !== 'processing' ? (
        <form method="post" action={action} class="analysis-form">
          <input type="hidden" name="branch" value={props.branchId} />
          <input
            type="hidden"
            name="mode"
            value={a && a.status !== 'failed' ? 'regenerate' : 'create'}
          />
          <label>
            Custom prompt (optional) <textarea name="customPrompt" maxlength={4000} rows={2} />
          </label>
          <button type="submit">
            {a && a.status !== 'failed' ? 'Regenerate analysis' : 'Request analysis'}
          </button>
        </form>
      ) : null}
    </section>
  )
}

function Status(props: { row: AnalysisRow }) {
  const r = props.row
  return (
    <p class={`analysis-status status-${r.status}`} data-testid="analysis-status">
      {r.status}
      {r.status === 'pending' && r.attempts > 0 ? ` (retry after attempt ${r.attempts})` : ''}
      {r.model ? ` · ${r.provider ?? ''} ${r.model}` : ''}
      {r.status === 'completed' ? ` · ${r.inputTokens + r.outputTokens} tokens` : ''}
      {r.costUsd !== null && r.status === 'completed' ? ` · $${r.costUsd.toFixed(4)}` : ''}
      {r.error ? <span class="analysis-error"> — {r.error}</span> : null}
    </p>
  )
}

function Result(props: { result: ConversationAnalysis }) {
  const r = props.result
  const q = r.qualityScores
  return (
    <div class="analysis-result" data-testid="analysis-result">
      <Markdown class="analysis-summary" text={r.summary} />
      <dl class="facts">
        <dt>Intent</dt>
        <dd>
          <InlineMarkdown text={r.userIntent} />
        </dd>
        <dt>Sentiment</dt>
        <dd>{r.sentiment}</dd>
        <dt>Scores</dt>
        <dd>
          overall {q.overall} · completion {q.taskCompletion} · efficiency {q.efficiency} ·
          communication {q.communication}
        </dd>
      </dl>
      <List title="Topics" items={r.topics} />
      <List title="Outcomes" items={r.outcomes} />
      <List
        title="Action items"
        items={r.actionItems.map((i) => `[${i.priority}] ${i.description}`)}
      />
      <List
        title="Prompting tips"
        items={r.promptingTips.map((t) => `${t.issue} → ${t.suggestion}`)}
      />
      <List title="Strengths" items={r.interactionPatterns.strengths} />
      <List title="Common issues" items={r.interactionPatterns.commonIssues} />
      <List title="Tools" items={r.technicalDetails.toolsUsed} />
    </div>
  )
}

function List(props: { title: string; items: string[] }) {
  if (props.items.length === 0) return null
  return (
    <>
      <h3>{props.title}</h3>
      <ul>
        {props.items.map((item) => (
          <li>
            <InlineMarkdown text={item} />
          </li>
        ))}
      </ul>
    </>
  )
}
