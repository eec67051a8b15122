import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { USAGE } from './cli/main.ts'

// The docs are what a new user trusts first; these are the claims that drifted before.
const root = join(import.meta.dirname, '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

/** Rows of the first Markdown table after `heading`, as trimmed cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(heading)
  assert.notEqual(start, -1, `heading ${heading}`)
  const lines = markdown.slice(start).split('\n')
  const first = lines.findIndex((l) => l.startsWith('|'))
  const rows: string[][] = []
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
  }
  return rows
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort()

test('the error table in docs/proxy.md lists every error class in src/errors.ts', () => {
  const classes = [...read('src/errors.ts').matchAll(/super\(\s*(\d{3}),\s*'([a-z_]+)'/g)].map(
    ([, status, type]) => `${status} ${type}`,
  )
  const documented = tableAfter(read('docs/proxy.md'), '## Errors the proxy creates').map(
    ([status, type]) => `${status} ${type}`,
  )
  // The 500 is no class: it is what an unexpected exception becomes.
  assert.deepEqual(sorted(documented), sorted([...classes, '500 api_error']))
})

test('the README configuration table lists exactly the variables src/config.ts reads', () => {
  const schema = read('src/config.ts').split('const envSchema = z.object({')[1]?.split('\n})')[0]
  const read_ = [...(schema ?? '').matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map(([, name]) => name!)
  const documented = tableAfter(read('README.md'), '## Configuration').flatMap(([variables]) =>
    [...(variables ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(([, name]) => name!),
  )
  assert.ok(read_.length > 10)
  assert.deepEqual(sorted(documented), sorted(read_))
})

test('the README command table lists exactly the commands `nexus --help` shows', () => {
  const command = /^([a-z-]+(?: [a-z]+)?)/
  const documented = tableAfter(read('README.md'), '## Commands').flatMap(([cell]) =>
    [...(cell ?? '').matchAll(/`nexus ([^`]+)`/g)].map(([, text]) => command.exec(text!)![1]!),
  )
  const shown = USAGE.split('\n')
    .filter((line) => /^ {2}[a-z]/.test(line))
    .map((line) => command.exec(line.trim())![1]!)
  assert.ok(shown.length > 5)
  assert.deepEqual(sorted(documented), sorted(shown))
})
