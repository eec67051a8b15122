/**
 * A small markdown renderer for untrusted text (analysis answers, Spark recommendations).
 *
 * No HTML passes through: every character of the source reaches the output escaped, and
 * the only tags are the ones made here — paragraphs, headings, lists, block quotes, rules,
 * fenced and inline code, emphasis, and links whose href is http(s) or mailto. Pure: string
 * in, HTML string out.
 */

const MAX_DEPTH = 6
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

export interface MarkdownOptions {
  /** Heading levels start here (a card inside a page wants h3, not h1). */
  headingBase?: number
}

export function renderMarkdown(source: string, options: MarkdownOptions = {}): string {
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  return renderBlocks(lines, Math.max(1, Math.min(6, options.headingBase ?? 1)), 0)
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/
const QUOTE = /^ {0,3}> ?/
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(?:[ \t]+|$)/

function renderBlocks(lines: string[], h: number, depth: number): string {
  if (depth > MAX_DEPTH) return `<p>${escapeHtml(lines.join('\n'))}</p>`
  const out: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    const fence = FENCE.exec(line)
    if (line.trim() === '') {
      i++
    } else if (fence) {
      const close = new RegExp(
        `^ {0,3}${fence[1]![0] === '`' ? '`' : '~'}{${fence[1]!.length},}\\s*$`,
      )
      const body: string[] = []
      i++
      while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!)
      i++
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : ''
      out.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`)
    } else if (HEADING.test(line)) {
      const [, hashes, text] = HEADING.exec(line)!
      const level = Math.min(6, h + hashes!.length - 1)
      out.push(`<h${level}>${renderInline(headingText(text ?? ''), 0)}</h${level}>`)
      i++
    } else if (RULE.test(line)) {
      out.push('<hr>')
      i++
    } else if (QUOTE.test(line)) {
      const body: string[] = []
      while (i < lines.length && QUOTE.test(lines[i]!)) body.push(lines[i++]!.replace(QUOTE, ''))
      out.push(`<blockquote>${renderBlocks(body, h, depth + 1)}</blockquote>`)
    } else if (ITEM.test(line)) {
      i = renderList(lines, i, h, depth, out)
    } else {
      const body: string[] = []
      while (i < lines.length && lines[i]!.trim() !== '' && !startsBlock(lines[i]!)) {
        body.push(lines[i++]!.trim())
      }
      out.push(`<p>${renderInline(body.join('\n'), 0)}</p>`)
    }
  }
  return out.join('\n')
}

/** A heading's `{#section-id}` anchor (Spark's section markers) is not shown. */
function headingText(text: string): string {
  return text.replace(/\s*\{#[^}]*\}\s*$/, '')
}

function startsBlock(line: string): boolean {
  return (
    FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line)
  )
}

/** One list from lines[start]; pushes its HTML and returns the first line after it. */
function renderList(lines: string[], start: number, h: number, depth: number, out: string[]) {
  const first = ITEM.exec(lines[start]!)!
  const ordered = /\d/.test(first[2]!)
  const items: string[][] = []
  let i = start
  while (i < lines.length) {
    const line = lines[i]!
    const item = ITEM.exec(line)
    if (item && /\d/.test(item[2]!) === ordered && item[1]!.length <= first[1]!.length) {
      items.push([line.slice(item[0].length)])
      i++
    } else if (line.trim() === '') {
      // A blank line ends the list unless an indented continuation or the next item follows.
      const next = lines[i + 1]
      if (next === undefined || !(/^\s{2,}\S/.test(next) || ITEM.test(next))) break
      items.at(-1)!.push('')
      i++
    } else if (/^\s{2,}\S/.test(line) || (!startsBlock(line) && items.at(-1)!.at(-1) !== '')) {
      items.at(-1)!.push(line.replace(/^ {1,4}|^\t/, ''))
      i++
    } else break
  }
  const tag = ordered ? 'ol' : 'ul'
  const startAt = ordered ? Number.parseInt(first[2]!, 10) : 1
  const attr = ordered && startAt !== 1 ? ` start="${startAt}"` : ''
  const rendered = items.map((body) => {
    const simple = body.every((l) => !startsBlock(l) && l.trim() !== '')
    const html = simple
      ? renderInline(body.map((l) => l.trim()).join('\n'), 0)
      : renderBlocks(body, h, depth + 1)
    return `<li>${html}</li>`
  })
  out.push(`<${tag}${attr}>\n${rendered.join('\n')}\n</${tag}>`)
  return i
}

/** Inline markup of one block's text; everything not recognised is escaped text. */
export function renderInline(text: string, depth: number): string {
  if (depth > MAX_DEPTH) return escapeHtml(text)
  let out = ''
  let plain = ''
  const flush = () => {
    out += escapeHtml(plain)
    plain = ''
  }
  const misses: Misses = new Map()
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    const made = ch === '\\' ? undefined : inlineAt(text, i, depth, misses)
    if (ch === '\\' && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1]!)) {
      plain += text[i + 1]
      i += 2
    } else if (made) {
      flush()
      out += made.html
      i = made.end
    } else {
      plain += ch
      i++
    }
  }
  flush()
  return out
}

/**
 * Closing marks searched for and not found, by mark: none exists after that position, so
 * a later opener of the same mark need not look again (keeps `*a *a *a…` linear).
 */
type Misses = Map<string, number>

function closer(
  text: string,
  mark: string,
  from: number,
  misses: Misses,
  ok = (_: number) => true,
) {
  const missed = misses.get(mark)
  if (missed !== undefined && from >= missed) return -1
  let at = text.indexOf(mark, from)
  while (at >= 0 && !ok(at)) at = text.indexOf(mark, at + 1)
  if (at < 0) misses.set(mark, Math.min(from, missed ?? from))
  return at
}

type Made = { html: string; end: number } | undefined

function inlineAt(text: string, i: number, depth: number, misses: Misses): Made {
  const ch = text[i]!
  if (ch === '`') return codeSpan(text, i, misses)
  if (ch === '[') return link(text, i, depth)
  if (ch === '<') return autolink(text, i)
  if (ch === '*' || ch === '_' || ch === '~') return emphasis(text, i, depth, misses)
  return undefined
}

function codeSpan(text: string, i: number, misses: Misses) {
  let n = 0
  while (text[i + n] === '`') n++
  const ticks = '`'.repeat(n)
  const close = closer(text, ticks, i + n, misses)
  if (close < 0) return { html: escapeHtml(ticks), end: i + n }
  const body = text.slice(i + n, close).replace(/\n/g, ' ')
  const trimmed = /^ .* $/.test(body) ? body.slice(1, -1) : body
  return { html: `<code>${escapeHtml(trimmed)}</code>`, end: close + n }
}

function emphasis(text: string, i: number, depth: number, misses: Misses) {
  const ch = text[i]!
  const double = text[i + 1] === ch
  if (ch === '~' && !double) return undefined
  // `snake_case_names` are words, not emphasis.
  if (ch === '_' && i > 0 && /\w/.test(text[i - 1]!)) return undefined
  const mark = double ? ch + ch : ch
  const from = i + mark.length
  if (from >= text.length || /\s/.test(text[from]!)) return undefined
  // A closing mark follows text, not a space; `_` also ends a word (`a__b` is no closer).
  const closes = (at: number) =>
    !/\s/.test(text[at - 1]!) && !(ch === '_' && /\w/.test(text[at + mark.length] ?? ''))
  const close = closer(text, mark, from + 1, misses, closes)
  if (close < 0) return undefined
  const tag = ch === '~' ? 'del' : double ? 'strong' : 'em'
  const inner = renderInline(text.slice(from, close), depth + 1)
  return { html: `<${tag}>${inner}</${tag}>`, end: close + mark.length }
}

function link(text: string, i: number, depth: number) {
  const labelEnd = matchingBracket(text, i)
  if (labelEnd < 0 || text[labelEnd + 1] !== '(') return undefined
  const close = text.indexOf(')', labelEnd + 2)
  if (close < 0) return undefined
  const target = /^\s*<?([^\s<>]*)>?(?:\s+"[^"]*")?\s*$/.exec(text.slice(labelEnd + 2, close))
  const label = renderInline(text.slice(i + 1, labelEnd), depth + 1).replace(/<\/?a\b[^>]*>/g, '')
  const href = target ? safeHref(target[1]!) : undefined
  // A link we will not make keeps its text; the target is dropped, not shown as markup.
  if (!href) return { html: label, end: close + 1 }
  return { html: anchor(href, label), end: close + 1 }
}

function autolink(text: string, i: number) {
  const m = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(text.slice(i))
  const href = m ? safeHref(m[1]!) : undefined
  if (!m || !href) return undefined
  return { html: anchor(href, escapeHtml(m[1]!)), end: i + m[0].length }
}

function anchor(href: string, labelHtml: string): string {
  return `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">${labelHtml}</a>`
}

// Labels longer than this are not links (CommonMark caps reference labels near here too);
// without a cap `[[[[…` would be quadratic.
const MAX_LABEL = 1_000

function matchingBracket(text: string, i: number): number {
  let level = 0
  for (let j = i; j < Math.min(text.length, i + MAX_LABEL); j++) {
    if (text[j] === '\\') j++
    else if (text[j] === '[') level++
    else if (text[j] === ']' && --level === 0) return j
  }
  return -1
}

/**
 * The href of a link we may make: an absolute http(s) or mailto URL, read the way a browser
 * will read it (the URL parser, after refusing whitespace and control characters, which
 * browsers strip and which would otherwise hide a `javascript:` scheme).
 */
export function safeHref(raw: string): string | undefined {
  if (raw === '' || /[\s\u0000-\u001f\u007f]/.test(raw)) return undefined
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}
