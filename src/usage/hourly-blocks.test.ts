import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { lastBlockFromHours } from './hourly-blocks.ts'
import { usageBlocks, type UsageEntry } from './usage-blocks.ts'

const HOUR = 3_600_000

function hoursOf(entries: readonly UsageEntry[]): Date[] {
  const hours = new Set(entries.map(({ at }) => Math.floor(at.getTime() / HOUR) * HOUR))
  return [...hours].map((h) => new Date(h))
}

const entry = (iso: string): UsageEntry => ({
  at: new Date(iso),
  model: 'claude-sonnet-4-5',
  usage: {
    input_tokens: 1,
    output_tokens: 1,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  },
  costUsd: 0,
})

describe('lastBlockFromHours', () => {
  test('follows the block chain: a block starts at the first request after the last one ended', () => {
    // 09:40 opens 09:00–14:00; 13:59 is inside it; 14:00 opens the next block at 14:00.
    const entries = [
      '2026-11-25T09:40:00Z',
      '2026-11-25T13:59:00Z',
      '2026-11-25T14:00:00Z',
      '2026-11-25T15:30:00Z',
    ].map(entry)
    assert.deepEqual(lastBlockFromHours(hoursOf(entries), new Date('2026-11-25T16:00:00Z')), {
      start: new Date('2026-11-25T14:00:00Z'),
      end: new Date('2026-11-25T19:00:00Z'),
      isActive: true,
    })
  })

  test('is inactive once the block has ended', () => {
    const block = lastBlockFromHours(
      hoursOf([entry('2026-11-25T09:40:00Z')]),
      new Date('2026-11-25T14:00:00Z'),
    )
    assert.equal(block?.isActive, false)
  })

  test('no activity, no block', () => {
    assert.equal(lastBlockFromHours([], new Date()), null)
  })

  test('gives the same last block as usageBlocks on random request times', () => {
    let seed = 42
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    for (let run = 0; run < 300; run++) {
      const start = Date.parse('2026-11-20T00:00:00Z')
      const entries: UsageEntry[] = []
      let t = start + random() * 10 * HOUR
      const count = 1 + Math.floor(random() * 40)
      for (let i = 0; i < count; i++) {
        entries.push({ ...entry('2026-01-01T00:00:00Z'), at: new Date(Math.round(t)) })
        // Mostly short gaps, sometimes one longer than a block.
        t += random() < 0.1 ? random() * 12 * HOUR : random() * 2 * HOUR
      }
      const now = new Date(Math.round(t - random() * 6 * HOUR))
      const expected = usageBlocks(entries, now).at(-1)!
      const actual = lastBlockFromHours(hoursOf(entries), now)!
      assert.deepEqual(
        [actual.start, actual.end, actual.isActive],
        [expected.start, expected.end, expected.isActive],
        `run ${run}`,
      )
    }
  })
})
