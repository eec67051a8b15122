import assert from 'node:assert/strict'
import { test } from 'node:test'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import type { RequestRecord } from '../storage/request-record.ts'
import { DEFAULT_PRICE_TABLE } from '../usage/price-table.ts'
import { modelLabeller, statusClass, upstreamErrorKind } from './metric-labels.ts'

test('status classes', () => {
  assert.deepEqual([200, 404, 529, null].map(statusClass), ['2xx', '4xx', '5xx', 'none'])
})

test('only priced models become label values; any other id is `other`', () => {
  const label = modelLabeller(DEFAULT_PRICE_TABLE)
  assert.equal(label('claude-sonnet-4-5-20250929'), 'claude-sonnet-4-5')
  assert.equal(label('anthropic.claude-haiku-4-5-20251001-v1:0'), 'claude-haiku-4-5')
  assert.equal(label('claude-made-up-77'), 'other')
  assert.equal(label('constructor'), 'other')
  assert.equal(label(null), 'none')
})

const rec = (over: Partial<RequestRecord>): RequestRecord => ({
  ...demoRecord({ at: new Date('2026-01-01T00:00:00Z'), domain: 'labels.test' }),
  responseHeaders: { 'request-id': 'req_1' },
  statusCode: 200,
  streamEnd: 'done',
  ...over,
})

test('upstream error kinds', () => {
  assert.equal(upstreamErrorKind(rec({})), null)
  assert.equal(upstreamErrorKind(rec({ streamEnd: 'timeout' })), 'timeout')
  assert.equal(
    upstreamErrorKind(rec({ streamEnd: 'upstream_error', responseHeaders: null, statusCode: 502 })),
    'connection',
  )
  assert.equal(upstreamErrorKind(rec({ streamEnd: 'upstream_error' })), 'stream_interrupted')
  assert.equal(upstreamErrorKind(rec({ statusCode: 429 })), 'rate_limited')
  assert.equal(upstreamErrorKind(rec({ statusCode: 529 })), 'overloaded')
  assert.equal(upstreamErrorKind(rec({ statusCode: 500 })), 'server_error')
  assert.equal(upstreamErrorKind(rec({ statusCode: 400 })), null)
  // The proxy's own 413 is not an upstream error.
  assert.equal(upstreamErrorKind(rec({ statusCode: 413, responseHeaders: null })), null)
})
