// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { buildGroupedSeries, buildSeries, type SeriesEntry } from './series.ts'
import { bucketKey, bucketKeys } from './time-buckets.ts'

function entry(
  at: string,
  costUsd: number | null,
  domain = 'a.example',
  model = 'claude-sonnet-4-5-20250929',
): SeriesEntry {
  return {
    at: new Date(at),
    domain,
    model,
    costUsd,
    usage: {
      input_tokens: 10,
      output_tokens: 20,
      cache_creation_input_tokens: 30,
      cache_read_input_tokens: 40,
    },
  }
}

const one = { input: 10, output: 20, cacheWrite: 30, cacheRead: 40, total: 100 }
const two = { input: 20, output: 40, cacheWrite: 60, cacheRead: 80, total: 200 }
const none = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, total: 0 }

describe('bucketKey', () => {
  test('UTC by default', () => {
    const at = new Date('2026-11-25T07:30:00Z')
    assert.equal(bucketKey(at, 'day'), '2026-11-25')
    assert.equal(bucketKey(at, 'hour'), '2026-11-25T07:00')
  })

  test('local wall-clock time in an IANA zone', () => {
    // 07:30Z is 23:30 the day before in Los Angeles (PST, −8); 13:00 in Kolkata (+5:30)
    const at = new Date('2026-11-25T07:30:00Z')
    assert.equal(bucketKey(at, 'day', 'America/Los_Angeles'), '2026-11-24')
    assert.equal(bucketKey(at, 'hour', 'America/Los_Angeles'), '2026-11-24T23:00')
    assert.equal(bucketKey(at, 'hour', 'Asia/Kolkata'), '2026-11-25T13:00')
  })

  test('an unknown zone is an error', () => {
    assert.throws(() => bucketKey(new Date(0), 'day', 'Mars/Olympus'), RangeError)
  })
})

describe('bucketKeys', () => {
  test('every hour in range, ends included', () => {
    assert.deepEqual(
      bucketKeys(new Date('2026-11-25T10:45:00Z'), new Date('2026-11-25T13:10:00Z'), 'hour'),
      ['2026-11-25T10:00', '2026-11-25T11:00', '2026-11-25T12:00', '2026-11-25T13:00'],
    )
  })

  test('days', () => {
    assert.deepEqual(
      bucketKeys(new Date('2026-11-25T23:00:00Z'), new Date('2026-11-27T00:30:00Z'), 'day'),
      ['2026-11-25', '2026-11-26', '2026-11-27'],
    )
  })

  test('the repeated hour when daylight saving ends is one bucket', () => {
    // New York falls back at 06:00Z on 2026-11-01: 04Z 00:00 EDT, 05Z 01:00 EDT,
    // 06Z 01:00 EST, 07Z 02:00 EST
    assert.deepEqual(
      bucketKeys(
        new Date('2026-11-01T04:00:00Z'),
        new Date('2026-11-01T07:00:00Z'),
        'hour',
        'America/New_York',
      ),
      ['2026-11-01T00:00', '2026-11-01T01:00', '2026-11-01T02:00'],
    )
  })

  test('an empty range has no buckets', () => {
    assert.deepEqual(bucketKeys(new Date(1000), new Date(0), 'day'), [])
  })
})

describe('buildSeries', () => {
  test('hourly, empty buckets filled with zeros, entries outside the range ignored', () => {
    const series = buildSeries(
      [
        entry('2026-11-25T10:05:00Z', 0.1),
        entry('2026-11-25T10:55:00Z', 0.2),
        entry('2026-11-25T12:30:00Z', null),
        entry('2026-11-25T09:59:59Z', 5),
        entry('2026-11-25T13:00:00Z', 5),
      ],
      {
        from: new Date('2026-11-25T10:00:00Z'),
        to: new Date('2026-11-25T12:59:59Z'),
        granularity: 'hour',
      },
    )
    assert.deepEqual(series, [
      // 0.1 + 0.2 summed in nano-dollars: exactly 0.3
      { bucket: '2026-11-25T10:00', tokens: two, costUsd: 0.3, requests: 2, unpricedRequests: 0 },
      { bucket: '2026-11-25T11:00', tokens: none, costUsd: 0, requests: 0, unpricedRequests: 0 },
      { bucket: '2026-11-25T12:00', tokens: one, costUsd: 0, requests: 1, unpricedRequests: 1 },
    ])
  })

  test('daily in a time zone moves a late-evening request to its local day', () => {
    const entries = [entry('2026-11-25T07:30:00Z', 1), entry('2026-11-25T08:30:00Z', 2)]
    const range = {
      from: new Date('2026-11-24T08:00:00Z'),
      to: new Date('2026-11-26T07:59:59Z'),
      granularity: 'day' as const,
    }
    assert.deepEqual(
      buildSeries(entries, { ...range, timeZone: 'America/Los_Angeles' }).map((p) => [
        p.bucket,
        p.costUsd,
      ]),
      [
        ['2026-11-24', 1],
        ['2026-11-25', 2],
      ],
    )
    assert.deepEqual(
      buildSeries(entries, range).map((p) => [p.bucket, p.costUsd]),
      [
        ['2026-11-24', 0],
        ['2026-11-25', 3],
        ['2026-11-26', 0],
      ],
    )
  })
})

describe('buildGroupedSeries', () => {
  const entries = [
    entry('2026-11-25T10:00:00Z', 0.5, 'b.example', 'claude-opus-4-5-20251101'),
    entry('2026-11-25T10:30:00Z', 0.25, 'a.example', 'claude-sonnet-4-5-20250929'),
    entry('2026-11-26T09:00:00Z', 0.125, 'a.example', 'claude-opus-4-5-20251101'),
    entry('2026-11-28T09:00:00Z', 9, 'c.example', 'claude-haiku-4-5-20251001'),
  ]
  const range = {
    from: new Date('2026-11-25T00:00:00Z'),
    to: new Date('2026-11-26T23:59:59Z'),
    granularity: 'day' as const,
  }
  const costs = (groups: ReturnType<typeof buildGroupedSeries>) =>
    groups.map((g) => [g.group, g.points.map((p) => p.costUsd)])

  test('by domain, every group on every bucket, groups outside the range dropped', () => {
    assert.deepEqual(costs(buildGroupedSeries(entries, { ...range, by: 'domain' })), [
      ['a.example', [0.25, 0.125]],
      ['b.example', [0.5, 0]],
    ])
  })

  test('by model', () => {
    const groups = buildGroupedSeries(entries, { ...range, by: 'model' })
    assert.deepEqual(costs(groups), [
      ['claude-opus-4-5-20251101', [0.5, 0.125]],
      ['claude-sonnet-4-5-20250929', [0.25, 0]],
    ])
    assert.deepEqual(
      groups[0]?.points.map((p) => p.tokens),
      [one, one],
    )
  })
})
