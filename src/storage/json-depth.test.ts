import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { boundedJson, jsonDepth } from './json-depth.ts'

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

describe('jsonDepth', () => {
  it('counts arrays and objects, and nothing inside strings', () => {
    assert.equal(jsonDepth('1'), 0)
    assert.equal(jsonDepth('{"a":[1,{"b":2}],"c":[]}'), 3)
    assert.equal(jsonDepth('{"a":"[[[{{{"}'), 1)
    assert.equal(jsonDepth('{"a":"quote \\" [[[ still a string"}'), 1)
    assert.equal(jsonDepth('{"a":"backslash \\\\","b":[[]]}'), 3)
  })

  it('measures 40,000 levels without recursing', () => {
    assert.equal(jsonDepth(nested(40_000)), 40_000)
  })
})

describe('boundedJson', () => {
  it('keeps JSON within the bound as it is', () => {
    assert.equal(boundedJson(nested(256)), nested(256))
    assert.equal(boundedJson(null), null)
  })

  it('turns deeper JSON into one JSON string holding the same text', () => {
    const text = `{"messages":${nested(257)}}`
    const bounded = boundedJson(text)
    assert.equal(bounded, JSON.stringify(text))
    assert.equal(JSON.parse(bounded!), text)
  })
})
