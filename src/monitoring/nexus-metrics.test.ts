import assert from 'node:assert/strict'
import { test } from 'node:test'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import type { WriterStats } from '../storage/storage-writer.ts'
import { DEFAULT_PRICE_TABLE } from '../usage/price-table.ts'
import {
  histogramSeries,
  parseExposition,
  type Family,
} from '../../test-support/prom-exposition.ts'
import { NexusMetrics } from './nexus-metrics.ts'

const STATS: WriterStats = {
  queued: 2,
  stored: 40,
  spooled: 1,
  replayed: 1,
  quarantined: 0,
  spoolBytes: 512,
  spoolRecords: 1,
  degraded: false,
}

/** 10 domains × 3 models × 4 requests: the third of each four a 529, odd ones not streamed. */
async function scrape(): Promise<string> {
  const metrics = new NexusMetrics({
    domainLabels: true,
    priceTable: DEFAULT_PRICE_TABLE,
    inFlight: () => 3,
    storage: () => STATS,
    linkerLag: () => Promise.resolve(12.5),
  })
  for (let d = 0; d < 10; d++) {
    for (const model of ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5', 'x-unknown']) {
      for (let k = 0; k < 4; k++) {
        const record = demoRecord({
          at: new Date('2026-01-01T00:00:00Z'),
          domain: `team-${d}.example.com`,
          model,
          status: k === 2 ? 529 : 200,
          streaming: k % 2 === 0,
          inputTokens: 10,
          outputTokens: 100, // 2 s: 800 ms + 12 ms per output token
          cacheRead: k === 3 ? 1000 : 0,
          costUsd: 0.01,
        })
        metrics.observeRequest(record)
      }
    }
  }
  metrics.observeWrite(3)
  metrics.observeWrite(30)
  metrics.observeRefresh('success')
  metrics.observeRefresh('success')
  metrics.observeRefresh('failure')
  return metrics.render()
}

function family(families: Family[], name: string): Family {
  const found = families.find((f) => f.name === name)
  assert.ok(found, `no ${name}`)
  return found
}

test('a scrape parses as the text format, with every series and consistent histograms', async () => {
  const families = parseExposition(await scrape())
  const ours = families.filter((f) => f.name.startsWith('nexus_'))
  assert.deepEqual(
    ours.map((f) => [f.name, f.type, f.samples.length]),
    [
      ['nexus_requests_total', 'counter', 60],
      ['nexus_request_duration_seconds', 'histogram', 6 * 16],
      ['nexus_time_to_first_token_seconds', 'histogram', 3 * 13],
      ['nexus_upstream_errors_total', 'counter', 1],
      ['nexus_client_aborts_total', 'counter', 1],
      ['nexus_tokens_total', 'counter', 90],
      ['nexus_cost_usd_total', 'counter', 30],
      ['nexus_oauth_refreshes_total', 'counter', 2],
      ['nexus_requests_in_flight', 'gauge', 1],
      ['nexus_storage_queue_depth', 'gauge', 1],
      ['nexus_storage_spool_bytes', 'gauge', 1],
      ['nexus_storage_spool_records', 'gauge', 1],
      ['nexus_storage_quarantined_records', 'gauge', 1],
      ['nexus_storage_degraded', 'gauge', 1],
      ['nexus_storage_stored_total', 'counter', 1],
      ['nexus_storage_spooled_total', 'counter', 1],
      ['nexus_storage_replayed_total', 'counter', 1],
      ['nexus_storage_write_duration_seconds', 'histogram', 15],
      ['nexus_conversation_linker_lag_seconds', 'gauge', 1],
    ],
  )
  // prom-client's default metrics follow ours.
  assert.ok(family(families, 'process_cpu_user_seconds_total').samples[0]!.value > 0)
  assert.equal(
    family(families, 'nexus_requests_total').samples.reduce((n, s) => n + s.value, 0),
    120,
  )
  assert.deepEqual(family(families, 'nexus_requests_total').samples[0]!.labels, {
    status_class: '2xx',
    model_family: 'claude-sonnet-4-5',
    request_type: 'inference',
    domain: 'team-0.example.com',
  })
  const duration = histogramSeries(family(families, 'nexus_request_duration_seconds'))
  assert.deepEqual(duration.get('model_family="claude-haiku-4-5",streaming="true"'), {
    // 20 requests of 2 s each: none up to 1 s, all from 2.5 s.
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, Infinity].map((le) => [
      le,
      le < 2 ? 0 : 20,
    ]),
    sum: 40,
    count: 20,
  })
  const tokens = family(families, 'nexus_tokens_total').samples
  const cacheRead = tokens.filter((s) => s.labels.kind === 'cache_read')
  assert.deepEqual(new Set(cacheRead.map((s) => s.value)), new Set([1000]))
  assert.equal(cacheRead.length, 30)
  const cost = family(families, 'nexus_cost_usd_total').samples
  assert.ok(cost.every((s) => Math.abs(s.value - 0.04) < 1e-12))
  const writes = histogramSeries(family(families, 'nexus_storage_write_duration_seconds'))
  assert.deepEqual([writes.get('')?.count, writes.get('')?.sum], [2, 0.033])
  assert.equal(family(families, 'nexus_conversation_linker_lag_seconds').samples[0]!.value, 12.5)
})

test('the reader rejects a broken scrape', async () => {
  const text = await scrape()
  const count = /^(nexus_request_duration_seconds_count\{[^}]*\}) 20$/m
  const sum = /^nexus_request_duration_seconds_sum\{.*\n/m
  const line = /^nexus_requests_total\{.*\n/m
  const broken: Array<[string, RegExp]> = [
    [text.replace(count, '$1 21'), /\+Inf bucket 20 but _count 21/],
    [text.replace(/(le="5",model_family="claude-haiku-4-5".*) 20$/m, '$1 3'), /not cumulative/],
    [text.replace(sum, ''), /no _sum or _count/],
    [text.replace(line, (l) => l + l), /duplicate series/],
    [text.replace('domain="team-0.example.com"', 'domain="team-"0"'), /labels not separated/],
    [text.replace(line, (l) => `unrelated_total ${l.split(' ').at(-1)}`), /outside its metric/],
    [text.slice(0, -1), /does not end with a newline/],
  ]
  for (const [bad, message] of broken) {
    assert.notEqual(bad, text)
    assert.throws(() => parseExposition(bad), message)
  }
})
