// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateClientKey } from './generate-key.ts'

describe('generateClientKey', () => {
  it('is cnp_live_ and 32 base62 characters', () => {
    assert.match(generateClientKey(), /^cnp_live_[0-9A-Za-z]{32}$/)
  })

  it('does not repeat', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateClientKey()))
    assert.equal(keys.size, 1000)
  })

  it('skips bytes that would bias the alphabet', () => {
    // 255 and 248 are discarded; 0 and 62 map to '0', 61 and 247 to 'z'.
    const random = () => Buffer.from([255, 0, 61, 248, 62, 247])
    assert.equal(generateClientKey(random), 'cnp_live_0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z0z')
  })

  it('uses every character about equally', () => {
    const counts = new Map<string, number>()
    for (let i = 0; i < 2000; i++) {
      for (const ch of generateClientKey().slice('cnp_live_'.length)) {
        counts.set(ch, (counts.get(ch) ?? 0) + 1)
      }
    }
    // 64000 draws over 62 characters: about 1032 each; bias towards the first 8 would be ~25%.
    assert.equal(counts.size, 62)
    for (const n of counts.values()) assert.ok(n > 850 && n < 1220, `count ${n}`)
  })
})
