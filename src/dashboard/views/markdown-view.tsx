/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { raw } from 'hono/html'
import { renderInline, renderMarkdown } from './markdown.ts'

// Enough to read; the full text is always in the raw JSON.
const MAX_MARKDOWN_CHARS = 20_000

/**
 * Untrusted markdown as HTML. `raw` is safe here only because renderMarkdown escapes every
 * character of its input and makes its own few tags (see markdown.ts and its tests).
 */
export function Markdown(props: { text: string; class?: string; headingBase?: number }) {
  const text = props.text.slice(0, MAX_MARKDOWN_CHARS)
  const html = renderMarkdown(text, { headingBase: props.headingBase ?? 3 })
  return (
    <div class={`md ${props.class ?? ''}`.trim()}>
      {raw(html)}
      {props.text.length > MAX_MARKDOWN_CHARS ? (
        <p class="muted">… {props.text.length - MAX_MARKDOWN_CHARS} more characters</p>
      ) : null}
    </div>
  )
}

/** One line of untrusted markdown (a list item): emphasis, code and links, no blocks. */
export function InlineMarkdown(props: { text: string }) {
  return <>{raw(renderInline(props.text.slice(0, MAX_MARKDOWN_CHARS), 0))}</>
}
