import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { XSS_PAYLOADS } from '../browser-support.ts'
import { renderMarkdown, safeHref } from './markdown.ts'

const REL = 'rel="noopener noreferrer nofollow" target="_blank"'

describe('renderMarkdown: the subset', () => {
  test('paragraphs, headings and emphasis', () => {
    assert.equal(
      renderMarkdown('# Title\n\nSome **bold** and *em* and _also em_ and ~~gone~~.\nSame para.'),
      '<h1>Title</h1>\n<p>Some <strong>bold</strong> and <em>em</em> and <em>also em</em> and <del>gone</del>.\nSame para.</p>',
    )
  })

  test('heading levels start at headingBase; Spark section anchors are hidden', () => {
    assert.equal(
      renderMarkdown('## Steps {#steps}\n### Detail', { headingBase: 3 }),
      '<h4>Steps</h4>\n<h5>Detail</h5>',
    )
  })

  test('lists, ordered with a start, nested through indentation', () => {
    assert.equal(
      renderMarkdown('- one\n- two\n  - inner\n\n3. three\n4. four'),
      '<ul>\n<li>one</li>\n<li><p>two</p>\n<ul>\n<li>inner</li>\n</ul></li>\n</ul>\n<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>',
    )
  })

  test('inline code, fenced code, quotes and rules keep their content as text', () => {
    assert.equal(
      renderMarkdown(
        'Run `a <b> c` now\n\n```ts\nconst x = 1 < 2 && "y"\n```\n> quoted *it*\n\n---',
      ),
      '<p>Run <code>a &lt;b&gt; c</code> now</p>\n<pre><code class="language-ts">const x = 1 &lt; 2 &amp;&amp; &quot;y&quot;</code></pre>\n<blockquote><p>quoted <em>it</em></p></blockquote>\n<hr>',
    )
  })

  test('an unclosed fence runs to the end', () => {
    assert.equal(renderMarkdown('```\n# not a heading'), '<pre><code># not a heading</code></pre>')
  })

  test('links: http(s) and mailto only, with rel', () => {
    assert.equal(
      renderMarkdown('[docs](https://example.com/a?b=1&c=2 "t") <mailto:me@example.com>'),
      `<p><a href="https://example.com/a?b=1&amp;c=2" ${REL}>docs</a> <a href="mailto:me@example.com" ${REL}>mailto:me@example.com</a></p>`,
    )
  })

  test('snake_case words and escaped markers stay literal', () => {
    assert.equal(
      renderMarkdown('call get_recommendation_now with \\*stars\\* and 2 * 3 * 4'),
      '<p>call get_recommendation_now with *stars* and 2 * 3 * 4</p>',
    )
    assert.equal(
      renderMarkdown('window.__xss = 1; window.__xss = 2'),
      '<p>window.__xss = 1; window.__xss = 2</p>',
    )
  })
})

describe('renderMarkdown: hostile input stays inert', () => {
  // Every `<` of the source is escaped, so each tag in the output is one the renderer made.
  const OURS =
    /^<\/?(?:p|h[1-6]|ul|li|em|strong|del|code|pre|blockquote|hr|\/a|ol(?: start="\d+")?|code class="language-[\w+-]+"|a href="(?:https?|mailto):[^"<>]*" rel="noopener noreferrer nofollow" target="_blank")>$/
  const foreignTags = (html: string) => (html.match(/<[^>]*>?/g) ?? []).filter((t) => !OURS.test(t))

  test('the shared XSS payloads produce no tag or attribute but ours', () => {
    for (const payload of XSS_PAYLOADS) {
      const html = renderMarkdown(`# ${payload}\n\n${payload}\n\n- ${payload}\n\n> ${payload}`)
      assert.deepEqual(foreignTags(html), [], payload)
    }
  })

  test('script tags are text', () => {
    assert.equal(
      renderMarkdown('<script>alert(1)</script>'),
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    )
  })

  test('javascript:, data: and disguised schemes make no link', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java&#115;cript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '//evil.example/x',
      '/relative',
    ]) {
      const html = renderMarkdown(`[click](${href})`)
      assert.doesNotMatch(html, /<a /, href)
    }
    assert.equal(renderMarkdown('[click](javascript:alert(1))'), '<p>click)</p>')
  })

  test('attribute injection through a URL is escaped inside the quotes', () => {
    const html = renderMarkdown('[x](https://e.com/"onmouseover="alert(1))')
    assert.equal(html, `<p><a href="https://e.com/%22onmouseover=%22alert(1" ${REL}>x</a>)</p>`)
    assert.doesNotMatch(renderMarkdown('<https://e.com/"onclick="x>'), /"onclick/)
  })

  test('event handlers in text and code fences stay text', () => {
    assert.equal(
      renderMarkdown('```html" onload="x\n<img src=x onerror=alert(1)>\n```'),
      '<pre><code class="language-html">&lt;img src=x onerror=alert(1)&gt;</code></pre>',
    )
    assert.equal(
      renderMarkdown('*<b onclick="x">*'),
      '<p><em>&lt;b onclick=&quot;x&quot;&gt;</em></p>',
    )
  })

  test('deep nesting and long unclosed runs come out as escaped text', () => {
    // Their speed is measured in bench/markdown.ts; here only what they render to.
    const quoted = renderMarkdown('> '.repeat(500) + 'end')
    // Quotes nest to a bounded depth; deeper markers stay as text.
    assert.match(quoted, /^(<blockquote>){1,8}<p>(&gt; )*end<\/p>(<\/blockquote>){1,8}$/)
    for (const run of ['*a ', '_a ', '~~a ', '[a ']) {
      const html = renderMarkdown(run.repeat(7_000))
      assert.doesNotMatch(html, /<(em|del|a)\b/)
      assert.equal(html.split('a').length - 1, 7_000)
    }
  })
})

test('safeHref reads a URL like a browser does', () => {
  assert.equal(safeHref('https://example.com'), 'https://example.com/')
  assert.equal(safeHref('HTTPS://EXAMPLE.com/A'), 'https://example.com/A')
  assert.equal(safeHref('javascript:alert(1)'), undefined)
  assert.equal(safeHref('https://exa mple.com'), undefined)
  assert.equal(safeHref('https://example.com/\u0000'), undefined)
})
