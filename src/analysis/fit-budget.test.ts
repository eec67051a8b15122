import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fitToBudget } from './fit-budget.ts'
import { segmentEnds } from './branch-input-store.ts'
import type { TranscriptEntry } from './transcript.ts'

// 40 characters = 10 tokens, +4 per entry for its heading.
const entry = (i: number): TranscriptEntry => ({
  role: i % 2 === 0 ? 'user' : 'assistant',
  text: `turn ${String(i).padStart(3, '0')} `.padEnd(40, 'x'),
})

test('a conversation within the budget is kept whole', () => {
  const entries = [0, 1, 2].map(entry)
  assert.deepEqual(fitToBudget(entries, { maxTokens: 1_000, headTokens: 100 }), {
    entries,
    omittedEntries: 0,
    estimatedTokens: 42,
  })
})

test('a long one keeps its head and tail with a visible marker between', () => {
  const entries = Array.from({ length: 100 }, (_, i) => entry(i))
  const fitted = fitToBudget(entries, { maxTokens: 140, headTokens: 42 })
  assert.deepEqual(
    fitted.entries.map((e) => e.text.slice(0, 8)),
    [
      'turn 000',
      'turn 001',
      'turn 002',
      '[… 92 tu',
      'turn 095',
      'turn 096',
      'turn 097',
      'turn 098',
      'turn 099',
    ],
  )
  assert.equal(fitted.entries[3]?.text, '[… 92 turns omitted here to fit the analysis budget …]')
  assert.equal(fitted.omittedEntries, 92)
  assert.ok(fitted.estimatedTokens <= 140)
})

test('one oversized first message keeps its beginning, marked as truncated', () => {
  const fitted = fitToBudget([{ role: 'user', text: 'a'.repeat(10_000) }, entry(1)], {
    maxTokens: 100,
    headTokens: 20,
  })
  assert.equal(fitted.entries[0]?.text, `${'a'.repeat(80)} [… truncated]`)
  assert.equal(fitted.entries.at(-1)?.text, entry(1).text)
})

test('the bodies read are the last of each stretch whose history only grows', () => {
  const requests = [1, 3, 5, 2, 4, 6].map((n, i) => ({ request_id: `r${i}`, message_count: n }))
  assert.deepEqual(segmentEnds(requests), ['r2', 'r5'])
})
