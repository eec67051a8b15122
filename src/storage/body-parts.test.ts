import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { joinBody, sha256Hex, splitBody } from './body-parts.ts'
import { recordedBodies } from './recorded-bodies.ts'

function roundTrip(text: string): string | undefined {
  const split = splitBody(text)
  if (split === undefined) return undefined
  for (const p of split.parts) assert.equal(p.hash, sha256Hex(p.text))
  return joinBody(
    split.segments,
    split.parts.map((p) => p.text),
  )
}

describe('splitBody', () => {
  test('every recorded body, compact and pretty-printed, joins back to the same sha256', () => {
    const bodies = recordedBodies()
    assert.ok(bodies.length >= 50, `only ${bodies.length} recorded bodies`)
    let split = 0
    for (const { name, text } of bodies) {
      for (const variant of [text, JSON.stringify(JSON.parse(text), null, 2)]) {
        const joined = roundTrip(variant)
        if (joined === undefined) continue
        split++
        assert.equal(sha256Hex(joined), sha256Hex(variant), name)
      }
    }
    assert.ok(split >= 50, `only ${split} bodies were split`)
  })

  test('cuts out the system prompt, the tools and each message, and nothing else', () => {
    const system = JSON.stringify('s'.repeat(80))
    const tool = `{"name":"Bash","description":"${'d'.repeat(70)}"}`
    const m1 = `{"role":"user","content":"${'a'.repeat(70)}"}`
    const m2 = `{"role":"assistant","content":"${'b'.repeat(70)}"}`
    const text = `{"model":"m","system":${system},"tools":[${tool}],"messages":[${m1},\n ${m2}],"max_tokens":1}`
    const split = splitBody(text)
    assert.deepEqual(
      split?.parts.map((p) => p.text),
      [system, `[${tool}]`, m1, m2],
    )
    assert.deepEqual(split?.segments, [
      '{"model":"m","system":',
      ',"tools":',
      ',"messages":[',
      ',\n ',
      '],"max_tokens":1}',
    ])
  })

  test('whitespace, unicode escapes in keys and values, and duplicate keys keep their bytes', () => {
    const long = 'é\\u00e9\\ud83d\\ude00 \\"quoted\\" [brackets] {braces}'.repeat(3)
    const cases = [
      ` \n{ "messages" :\t[ {"role":"user","content":"${long}"} ] , "model" : "m" }\r\n`,
      `{"\\u006dessages":[{"role":"user","content":"${long}"}]}`,
      `{"messages":[{"role":"user","content":"${long}"}],"messages":[{"role":"user","content":"${long}x"}]}`,
      `{"system":"${long}","system":[{"type":"text","text":"${long}"}],"messages":[]}`,
    ]
    for (const text of cases) {
      const split = splitBody(text)
      assert.ok(split && split.parts.length > 0, text)
      assert.equal(roundTrip(text), text)
    }
  })

  test('bodies that are not JSON objects with a messages array are stored whole', () => {
    for (const text of [
      'not json',
      '',
      '[{"messages":[]}]',
      '{"model":"m","prompt":"hi"}',
      '{"messages":{"role":"user"}}',
      '{"messages":[{"role":"user"}',
      '{"messages":[]} trailing',
      '"a string"',
      `{"messages":[${'['.repeat(300)}${']'.repeat(300)}]}`,
    ]) {
      assert.equal(splitBody(text), undefined, text)
    }
  })

  test('short parts stay in the envelope', () => {
    const text = '{"system":"short","messages":[{"role":"user","content":"hi"}]}'
    assert.deepEqual(splitBody(text), { segments: [text], parts: [] })
  })
})
