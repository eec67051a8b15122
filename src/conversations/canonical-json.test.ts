// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canonicalJson } from './canonical-json.ts'

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' } }),
      '{"a":{"c":"x","d":[2,1]},"b":1}',
    )
  })

  it('omits undefined properties and keeps undefined array slots as null', () => {
    assert.equal(canonicalJson({ a: undefined, b: [undefined, null] }), '{"b":[null,null]}')
  })
})
