/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { SparkFeedback } from '../../spark/spark-client.ts'
import type { SparkRecommendation } from '../../spark/spark-recommendation.ts'
import { Markdown } from './markdown-view.tsx'

/** What a page knows about Spark when it renders recommendation cards. */
export interface SparkView {
  /** The request whose feedback form posts to `/requests/:id/spark-feedback`. */
  requestId: string
  /** SPARK_API_KEY is set: feedback can be sent. */
  enabled: boolean
  canWrite: boolean
  /** Feedback already given, by session id (from one batched lookup). */
  feedback: ReadonlyMap<string, SparkFeedback>
  /** Why existing feedback could not be loaded (Spark down); the page renders anyway. */
  loadError: string | undefined
  /** The outcome of a form just sent, shown on its card. */
  notice?: SparkNotice | undefined
}

export interface SparkNotice {
  sessionId: string
  ok: boolean
  message: string
}

/** The anchor of a card; content never chooses an id on our page, only letters from it. */
export function sparkAnchor(toolUseId: string): string {
  return `spark-${toolUseId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 80)}`
}

/** A Spark recommendation (sanitised markdown) with what was said about it and a form. */
export function SparkCard(props: { rec: SparkRecommendation; view: SparkView | undefined }) {
  const { rec, view } = props
  const given = view?.feedback.get(rec.sessionId)
  const notice = view?.notice?.sessionId === rec.sessionId ? view.notice : undefined
  return (
    <section
      class="spark-card"
      id={sparkAnchor(rec.toolUseId)}
      data-testid="spark-card"
      data-session={rec.sessionId}
    >
      <div class="tool-head">
        <span class="tool-name">Spark recommendation</span>{' '}
        <code class="muted">session {rec.sessionId}</code>
      </div>
      {rec.query ? <p class="muted spark-query">Asked: {rec.query}</p> : null}
      <Markdown class="spark-body" text={rec.markdown} />
      {notice ? (
        <p class={`notice ${notice.ok ? 'ok' : 'error'}`} role="status" data-testid="spark-notice">
          {notice.message}
        </p>
      ) : null}
      {given ? <GivenFeedback feedback={given} rec={rec} /> : null}
      {view?.loadError ? (
        <p class="muted" data-testid="spark-load-error">
          Earlier feedback could not be loaded: {view.loadError}.
        </p>
      ) : null}
      <FeedbackForm rec={rec} view={view} />
    </section>
  )
}

function GivenFeedback(props: { feedback: SparkFeedback; rec: SparkRecommendation }) {
  const f = props.feedback
  const title = (id: string) => props.rec.sections.find((s) => s.id === id)?.title ?? id
  return (
    <div class="spark-given" data-testid="spark-given">
      <div class="tool-head">
        Feedback given: {f.rating}/5{f.submittedAt ? ` · ${f.submittedAt}` : ''}
      </div>
      {f.comments ? <p class="text">{f.comments}</p> : null}
      {f.sections.length > 0 ? (
        <ul>
          {f.sections.map((s) => (
            <li>
              {title(s.sectionId)}
              {s.rating ? `: ${s.rating}/5` : ''}
              {s.comments ? ` — ${s.comments}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

function FeedbackForm(props: { rec: SparkRecommendation; view: SparkView | undefined }) {
  const { rec, view } = props
  if (!view) return null
  if (!view.enabled) {
    return <p class="muted">Feedback is off: SPARK_API_KEY is not set.</p>
  }
  if (!view.canWrite) return <p class="muted">Read-only dashboard: feedback cannot be sent.</p>
  return (
    <details class="spark-feedback" open={view.feedback.has(rec.sessionId) ? undefined : true}>
      <summary>{view.feedback.has(rec.sessionId) ? 'Change feedback' : 'Give feedback'}</summary>
      <form
        method="post"
        action={`/requests/${encodeURIComponent(view.requestId)}/spark-feedback`}
        data-testid="spark-form"
      >
        <input type="hidden" name="session" value={rec.sessionId} />
        <input type="hidden" name="tool" value={rec.toolUseId} />
        <label>
          Rating <RatingSelect name="rating" required />
        </label>
        <label>
          Comments <textarea name="comments" maxlength={5000} rows={2} />
        </label>
        {rec.sections.length > 0 ? (
          <fieldset class="spark-sections">
            <legend>Per section (optional)</legend>
            {rec.sections.map((s, i) => (
              <div class="spark-section" data-testid="spark-section">
                <input type="hidden" name={`section_id_${i}`} value={s.id} />
                <span>{s.title}</span>{' '}
                <RatingSelect name={`section_rating_${i}`} label={`Rating of ${s.title}`} />{' '}
                <input
                  name={`section_comments_${i}`}
                  maxlength={2000}
                  placeholder="comment"
                  aria-label={`Comment on ${s.title}`}
                />
              </div>
            ))}
          </fieldset>
        ) : null}
        <button type="submit">Send feedback</button>
      </form>
    </details>
  )
}

function RatingSelect(props: { name: string; required?: boolean; label?: string }) {
  return (
    <select name={props.name} required={props.required} aria-label={props.label}>
      <option value="">{props.required ? 'choose' : '—'}</option>
      {[5, 4, 3, 2, 1].map((n) => (
        <option value={String(n)}>{n}</option>
      ))}
    </select>
  )
}
