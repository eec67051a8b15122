// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  burnRate,
  currentBlock,
  projection,
  usageBlocks,
  type UsageBlock,
  type UsageEntry,
} from './usage-blocks.ts'

function entry(
  at: string,
  tokens: { input?: number; output?: number; cacheWrite?: number; cacheRead?: number } = {},
  costUsd: number | null = 0.01,
  model = 'claude-sonnet-4-5-20250929',
): UsageEntry {
  return {
    at: new Date(at),
    model,
    costUsd,
    usage: {
      input_tokens: tokens.input ?? 100,
      output_tokens: tokens.output ?? 50,
      cache_creation_input_tokens: tokens.cacheWrite ?? 0,
      cache_read_input_tokens: tokens.cacheRead ?? 0,
    },
  }
}

const iso = (d: Date) => d.toISOString()
const spans = (blocks: UsageBlock[]) => blocks.map((b) => [iso(b.start), iso(b.end), b.requests])

describe('usageBlocks', () => {
  const now = new Date('2026-11-26T00:00:00Z')

  test('no entries, no blocks', () => {
    assert.deepEqual(usageBlocks([], now), [])
  })

  test('a block starts at the first request floored to the UTC hour', () => {
    const [block] = usageBlocks([entry('2026-11-25T10:55:30Z')], now)
    assert.equal(iso(block?.start ?? new Date(0)), '2026-11-25T10:00:00.000Z')
    assert.equal(iso(block?.end ?? new Date(0)), '2026-11-25T15:00:00.000Z')
    assert.equal(iso(block?.firstAt ?? new Date(0)), '2026-11-25T10:55:30.000Z')
  })

  test('a request exactly at start + 5 h opens the next block', () => {
    const blocks = usageBlocks(
      [
        entry('2026-11-25T10:20:00Z'),
        entry('2026-11-25T14:59:59.999Z'),
        entry('2026-11-25T15:00:00Z'),
      ],
      now,
    )
    assert.deepEqual(spans(blocks), [
      ['2026-11-25T10:00:00.000Z', '2026-11-25T15:00:00.000Z', 2],
      ['2026-11-25T15:00:00.000Z', '2026-11-25T20:00:00.000Z', 1],
    ])
  })

  test('a gap of more than 5 h starts a new block, floored again', () => {
    const blocks = usageBlocks(
      [entry('2026-11-25T10:00:00Z'), entry('2026-11-25T10:30:00Z'), entry('2026-11-25T16:45:00Z')],
      now,
    )
    assert.deepEqual(spans(blocks), [
      ['2026-11-25T10:00:00.000Z', '2026-11-25T15:00:00.000Z', 2],
      ['2026-11-25T16:00:00.000Z', '2026-11-25T21:00:00.000Z', 1],
    ])
  })

  test('continuous use chains blocks end to start', () => {
    const hourly = ['10:10', '11:10', '12:10', '13:10', '14:10', '15:10', '16:10'].map((t) =>
      entry(`2026-11-25T${t}:00Z`),
    )
    assert.deepEqual(spans(usageBlocks(hourly, now)), [
      ['2026-11-25T10:00:00.000Z', '2026-11-25T15:00:00.000Z', 5],
      ['2026-11-25T15:00:00.000Z', '2026-11-25T20:00:00.000Z', 2],
    ])
  })

  test('entries are sorted first', () => {
    const blocks = usageBlocks(
      [entry('2026-11-25T12:00:00Z'), entry('2026-11-25T10:30:00Z'), entry('2026-11-25T11:00:00Z')],
      now,
    )
    assert.deepEqual(spans(blocks), [['2026-11-25T10:00:00.000Z', '2026-11-25T15:00:00.000Z', 3]])
    assert.equal(iso(blocks[0]?.actualEnd ?? new Date(0)), '2026-11-25T12:00:00.000Z')
  })

  test('totals tokens by kind, cost, requests, unpriced requests and models', () => {
    const [block] = usageBlocks(
      [
        entry(
          '2026-11-25T10:05:00Z',
          { input: 10, output: 200, cacheWrite: 3_000, cacheRead: 40_000 },
          0.1,
        ),
        entry(
          '2026-11-25T10:06:00Z',
          { input: 500, output: 20, cacheWrite: 0, cacheRead: 0 },
          0.2,
          'claude-haiku-4-5-20251001',
        ),
        entry('2026-11-25T10:07:00Z', { input: 1, output: 1 }, null, 'claude-unknown-1'),
      ],
      now,
    )
    assert.deepEqual(block?.tokens, {
      input: 511,
      output: 221,
      cacheWrite: 3_000,
      cacheRead: 40_000,
      total: 43_732,
    })
    // 0.1 + 0.2 summed in nano-dollars: exactly 0.3
    assert.equal(block?.costUsd, 0.3)
    assert.equal(block?.requests, 3)
    assert.equal(block?.unpricedRequests, 1)
    assert.deepEqual(block?.models, [
      'claude-sonnet-4-5-20250929',
      'claude-haiku-4-5-20251001',
      'claude-unknown-1',
    ])
  })
})

describe('active blocks', () => {
  const entries = [entry('2026-11-25T10:15:00Z'), entry('2026-11-25T11:00:00Z')]

  test('active while now is before the end', () => {
    const now = new Date('2026-11-25T14:59:00Z')
    assert.equal(usageBlocks(entries, now)[0]?.isActive, true)
    assert.equal(iso(currentBlock(entries, now)?.start ?? new Date(0)), '2026-11-25T10:00:00.000Z')
  })

  test('inactive from the end on; no current block', () => {
    const now = new Date('2026-11-25T15:00:00Z')
    assert.equal(usageBlocks(entries, now)[0]?.isActive, false)
    assert.equal(currentBlock(entries, now), null)
  })

  test('only the latest block can be current', () => {
    const later = [...entries, entry('2026-11-25T17:30:00Z')]
    const now = new Date('2026-11-25T18:00:00Z')
    const blocks = usageBlocks(later, now)
    assert.deepEqual(
      blocks.map((b) => b.isActive),
      [false, true],
    )
    assert.equal(iso(currentBlock(later, now)?.start ?? new Date(0)), '2026-11-25T17:00:00.000Z')
  })
})

describe('burnRate and projection', () => {
  // Two turns of 30,000 tokens (3,000 input + output, 27,000 cache reads), $0.30 each.
  const turn = { input: 1_000, output: 2_000, cacheRead: 27_000 }
  const entries = [
    entry('2026-11-25T10:15:00Z', turn, 0.3),
    entry('2026-11-25T11:00:00Z', turn, 0.3),
  ]
  const now = new Date('2026-11-25T11:15:00Z')
  const block = currentBlock(entries, now)

  test('rate over the time since the first request', () => {
    assert.ok(block)
    // 60 minutes since 10:15; 60,000 tokens; 6,000 input + output; $0.60
    assert.deepEqual(burnRate(block, now), {
      tokensPerMinute: 1_000,
      inputOutputTokensPerMinute: 100,
      costUsdPerHour: 0.6,
      activeMinutes: 60,
    })
  })

  test('projection to the block end at that rate', () => {
    assert.ok(block)
    // 225 minutes to 15:00: 60,000 + 225 × 1,000 tokens; $0.60 + 225 × $0.01
    assert.deepEqual(projection(block, now), {
      tokens: 285_000,
      costUsd: 2.85,
      remainingMinutes: 225,
    })
  })

  test('idle time lowers the rate', () => {
    assert.ok(block)
    // 120 minutes since 10:15 at 12:15
    const later = new Date('2026-11-25T12:15:00Z')
    assert.equal(burnRate(block, later)?.tokensPerMinute, 500)
    assert.equal(burnRate(block, later)?.costUsdPerHour, 0.3)
  })

  test('no rate at the instant of the first request; no projection once inactive', () => {
    const first = new Date('2026-11-25T10:15:00Z')
    const [single] = usageBlocks([entry('2026-11-25T10:15:00Z')], first)
    assert.ok(single)
    assert.equal(burnRate(single, first), null)
    assert.equal(projection(single, first), null)

    const ended = new Date('2026-11-25T16:00:00Z')
    const [old] = usageBlocks(entries, ended)
    assert.ok(old)
    assert.equal(projection(old, ended), null)
    // A finished block's rate runs from its first request to its end: 285 minutes.
    assert.equal(burnRate(old, ended)?.activeMinutes, 285)
  })
})
