import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ScrapeBuffers } from './scrape-buffers.ts'

test('a buffer is reused once given back, never handed to two answers at once', () => {
  const buffers = new ScrapeBuffers(2)
  const a = buffers.take(100)
  assert.equal(a.length, 125)
  const b = buffers.take(100)
  assert.notEqual(a, b)
  buffers.give(a)
  assert.equal(buffers.take(120), a)
  // Too small for the scrape: a new one, with room to grow.
  buffers.give(a)
  const big = buffers.take(1000)
  assert.notEqual(big, a)
  assert.equal(big.length, 1250)
  // At most `keep` buffers wait for the next scrapes: `big` comes third and is dropped.
  buffers.give(b)
  buffers.give(big)
  assert.deepEqual([buffers.take(10), buffers.take(10)], [a, b])
  assert.notEqual(buffers.take(1000), big)
})
