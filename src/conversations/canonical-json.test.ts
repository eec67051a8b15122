// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createHash } from 'node:crypto'
import { canonicalJson, hashCanonicalJson } from './canonical-json.ts'

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

  it('quotes a long string in chunks exactly as JSON.stringify quotes it whole', () => {
    // Emoji (surrogate pairs) at every offset, so some straddle each chunk boundary; lone
    // surrogates, quotes, backslashes and control characters must be escaped the same.
    const unit = 'a😀"\\\n\u0001é\ud800x\udc00'
    const long = unit.repeat(20_000) + '😀'.repeat(10_000)
    for (const text of [long, long.slice(1), long.slice(2)]) {
      assert.equal(canonicalJson({ text }), `{"text":${JSON.stringify(text)}}`)
    }
  })
})

describe('hashCanonicalJson', () => {
  it('hashes the same bytes canonicalJson returns', () => {
    const value = {
      role: 'user',
      content: [
        { type: 'text', text: 'ü😀'.repeat(40_000) },
        { type: 'image', source: { data: 'QUJD'.repeat(100_000), type: 'base64' } },
        { b: [1, undefined, null], a: 'x' },
      ],
    }
    const streamed = createHash('sha256')
    hashCanonicalJson(streamed, value)
    assert.equal(
      streamed.digest('hex'),
      createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex'),
    )
  })
})
