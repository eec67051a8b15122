// Markdown renderer speed on hostile input (src/dashboard/views/markdown.ts): long unclosed
// emphasis, link and code runs and deep quotes. A renderer that rescans for a closing marker
// from every opening one is quadratic here; these figures show it stays linear.
//
//   node bin/run-ts.js bench/markdown.ts [--repeats=5]
import { parseArgs } from 'node:util'
import { renderMarkdown } from '../src/dashboard/views/markdown.ts'
import { num, table } from './report.ts'

const { values: flags } = parseArgs({ options: { repeats: { type: 'string', default: '5' } } })
const REPEATS = Number(flags.repeats)

const inputs: Array<[string, (n: number) => string]> = [
  ['unclosed *a', (n) => '*a '.repeat(n)],
  ['unclosed _a', (n) => '_a '.repeat(n)],
  ['unclosed ~~a', (n) => '~~a '.repeat(n)],
  ['unclosed `a ``', (n) => '`a ``'.repeat(n)],
  ['unclosed [a', (n) => '[a '.repeat(n)],
  ['nested quotes', (n) => '> '.repeat(n) + 'end'],
]

function medianMs(source: string): number {
  const times: number[] = []
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now()
    renderMarkdown(source)
    times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!
}

const rows = inputs.map(([name, make]) => {
  const small = medianMs(make(7_000))
  const large = medianMs(make(70_000))
  // Linear work grows ~10× for 10× the input; quadratic grows ~100×.
  return [name, num(small, 2), num(large, 2), num(large / Math.max(small, 0.001), 1)]
})
console.log(table(['input', '7,000 runs (ms)', '70,000 runs (ms)', 'growth ×'], rows))
