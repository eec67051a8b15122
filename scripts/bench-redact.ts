// Cost of masking secrets in one 40 KB request body: the current src/redact.ts against the
// earlier three-pattern version (kept below, verbatim, for the comparison).
// Run: npx tsx scripts/bench-redact.ts
import { storableJson } from '../src/redact.ts'

const OLD_PATTERN =
  /(sk-ant-[A-Za-z0-9]{2,6}-)[A-Za-z0-9_-]{8,}|(cnp_(?:live|test)_)[A-Za-z0-9]{8,}|(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g
function oldScrub(text: string): string {
  if (!text.includes('sk-ant-') && !text.includes('cnp_') && !text.includes('Bearer')) return text
  return text.replace(OLD_PATTERN, (_m, a, c, b) => `${a ?? c ?? b}[redacted]`)
}

function body(withEscapes: boolean): string {
  const messages = []
  for (let i = 0; messages.length < 200; i++) {
    const text =
      `Turn ${i}: function add(a, b) {\n  return a + b // see https://example.com/docs?page=${i}\n}\n` +
      (withEscapes ? 'caf\u00e9 \u2014 naïve ' : 'plain ascii text ') +
      'lorem ipsum dolor sit amet '.repeat(3)
    messages.push({ role: i % 2 ? 'assistant' : 'user', content: text })
  }
  messages.push({ role: 'user', content: 'my key is sk-ant-api03-abcdefghijklmnop' })
  const json = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages })
  // Python clients send ensure_ascii JSON: every non-ASCII character as a \u escape.
  return withEscapes
    ? json.replace(
        /[\u0080-\uffff]/g,
        (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
      )
    : json
}

function time(label: string, text: string, fn: (t: string) => string) {
  for (let i = 0; i < 200; i++) fn(text)
  const runs = 2000
  const start = process.hrtime.bigint()
  for (let i = 0; i < runs; i++) fn(text)
  const us = Number(process.hrtime.bigint() - start) / 1000 / runs
  console.log(`${label.padEnd(44)} ${(text.length / 1024).toFixed(1)} KB  ${us.toFixed(1)} µs`)
}

for (const escapes of [false, true]) {
  const text = body(escapes)
  const kind = escapes ? 'with \\u escapes' : 'plain'
  time(`before (3 patterns), ${kind}`, text, oldScrub)
  time(`after (storableJson), ${kind}`, text, storableJson)
}
