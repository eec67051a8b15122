import assert from 'node:assert/strict'
import { test } from 'node:test'
import { listNodes } from './body-list.ts'
import { splitBody } from './body-parts.ts'
import { PrefixMemo } from './body-prefix.ts'
import { recordedBodies } from './recorded-bodies.ts'

// Claude Code's shape: tools and system first, the cache marker on the newest message.
function session(turns: number, tag: string): string[] {
  const messages: string[] = []
  const marked = (m: string) => m.replace('"}]}', '","cache_control":{"type":"ephemeral"}}]}')
  return Array.from({ length: turns }, (_, t) => {
    if (t > 0)
      messages.push(
        `{"role":"assistant","content":[{"type":"text","text":"${tag} answer ${t} ${'a'.repeat(70)}"}]}`,
      )
    messages.push(
      `{"role":"user","content":[{"type":"text","text":"${tag} question ${t} ${'q'.repeat(70)}"}]}`,
    )
    const last = messages.length - 1
    const shown = messages.map((m, i) => (i === last ? marked(m) : m))
    return `{"model":"m","tools":[{"name":"T","description":"${'d'.repeat(90)}"}],"system":"${'s'.repeat(90)}","messages":[${shown.join(',')}],"metadata":{"user_id":"${tag}"}}`
  })
}

function check(memo: PrefixMemo, text: string, name: string) {
  const plain = splitBody(text)
  const memoized = splitBody(text, memo)
  assert.deepEqual(memoized, plain, name)
  if (plain !== undefined && memoized !== undefined) {
    assert.deepEqual(listNodes(memoized, memo.priorNodes(memoized)), listNodes(plain), name)
    memo.setNodes(memoized, listNodes(plain))
  }
}

test('with a memo, interleaved sessions split exactly as without, and reuse the repeated part', () => {
  const memo = new PrefixMemo()
  const a = session(12, 'a')
  const b = session(12, 'b')
  let resumed = 0
  for (let t = 0; t < 12; t++) {
    for (const body of [a[t]!, b[t]!]) {
      if (memo.find(body) !== undefined) resumed++
      check(memo, body, `turn ${t}`)
    }
  }
  assert.equal(resumed, 22, 'every continuing turn resumes after the repeated messages')
})

test('bodies that differ before the last messages, or are not messages-shaped, split as without', () => {
  const memo = new PrefixMemo()
  const [first, second, third] = session(3, 'c')
  check(memo, third!, 'third')
  // The history rewritten early on (compaction, an edit): no resume, same result.
  check(memo, third!.replace('question 0', 'question X'), 'rewritten')
  check(memo, second!, 'shorter')
  check(memo, first!, 'first')
  check(memo, `${third!.slice(0, -1)},"messages":[]}`, 'a second messages key')
  check(memo, third!.slice(0, -2), 'truncated')
  check(
    memo,
    `${third!.slice(0, third!.lastIndexOf(']'))},{"role":"user","content":${'['.repeat(300)}${']'.repeat(300)}}]}`,
    'deep',
  )
  for (const body of recordedBodies()) check(memo, body.text, body.name)
})

test('the memo is bounded by the text it holds', () => {
  const memo = new PrefixMemo(1_000)
  for (const body of session(20, 'd')) check(memo, body, 'bounded')
  const next = session(21, 'd').at(-1)!
  assert.ok((memo.find(next)?.at ?? 0) > 2_000, 'resumes after the repeated messages')
  // Another session's body, longer than the bound alone: the first session's goes.
  check(memo, session(1, 'e')[0]!, 'other')
  // Only the tools and system prompt, which both sessions share, are left to repeat.
  assert.ok((memo.find(next)?.at ?? 0) < 300)
})
