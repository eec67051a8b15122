import assert from 'node:assert/strict'
import { test } from 'node:test'
import { joinList, listNodes } from './body-list.ts'
import { sha256Hex, splitBody } from './body-parts.ts'
import { recordedBodies } from './recorded-bodies.ts'

test('every recorded body joins back from its list nodes and tail, byte for byte', () => {
  let checked = 0
  for (const body of recordedBodies()) {
    const split = splitBody(body.text)
    if (split === undefined || split.parts.length === 0) continue
    const nodes = listNodes(split)
    const texts = new Map(split.parts.map((p) => [p.hash, p.text]))
    const joined = joinList(nodes, texts, split.segments.at(-1) ?? '')
    assert.equal(sha256Hex(joined), sha256Hex(body.text), body.name)
    checked++
  }
  assert.ok(checked >= 50, `${checked} bodies`)
})

test('bodies that begin alike share the nodes of that beginning, and only those', () => {
  const m = (text: string) => `{"role":"user","content":"${text.padEnd(80, '.')}"}`
  const a = splitBody(`{"system":"${'s'.repeat(70)}","messages":[${m('one')},${m('two')}]}`)!
  const b = splitBody(`{"system":"${'s'.repeat(70)}","messages":[${m('one')},${m('TWO')}]}`)!
  const [na, nb] = [listNodes(a), listNodes(b)]
  assert.deepEqual(nb.slice(0, 2), na.slice(0, 2))
  assert.notEqual(nb[2]?.hash, na[2]?.hash)
  // The same part after different text is a different node: the separator is in the key.
  const c = splitBody(`{"system": "${'s'.repeat(70)}","messages":[${m('one')}]}`)!
  assert.notEqual(listNodes(c)[0]?.hash, na[0]?.hash)
  assert.equal(listNodes(c)[0]?.item, na[0]?.item)
})
