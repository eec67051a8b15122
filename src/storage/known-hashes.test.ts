import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KnownHashes } from './known-hashes.ts'

test('a hash is known until KNOWN_FOR_MS after the send that stored it, not after its use', () => {
  let now = 1_000
  const known = new KnownHashes(10, 100, () => now)
  known.add(['a'], 1_000)
  now = 1_099
  assert.equal(known.has('a'), true)
  // Using it does not extend it: only a send touches the row in the database.
  now = 1_100
  assert.equal(known.has('a'), false)
  assert.equal(known.size, 0)
  known.add(['a'], 1_100)
  assert.equal(known.has('a', 1_150), true)
})

test('beyond its bound the least recently used hashes are forgotten', () => {
  const known = new KnownHashes(3, 1_000, () => 0)
  known.add(['a', 'b', 'c'], 0)
  assert.equal(known.has('a'), true)
  known.add(['d'], 0)
  assert.equal(known.size, 3)
  assert.equal(known.has('b'), false)
  assert.deepEqual(
    ['a', 'c', 'd'].map((h) => known.has(h)),
    [true, true, true],
  )
})
