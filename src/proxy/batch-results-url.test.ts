import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { test } from 'node:test'
import { carriesResultsUrls, relativeResultsUrls } from './batch-results-url.ts'

const batch = (url: string | null) =>
  `{"id":"msgbatch_01","type":"message_batch","processing_status":"ended",  "results_url": ${
    url === null ? 'null' : JSON.stringify(url)
  },"request_counts":{"succeeded":1}}`

test('retrieving and listing batches carry results_urls; other paths do not', () => {
  assert.equal(carriesResultsUrls('GET', '/v1/messages/batches/msgbatch_01'), true)
  assert.equal(carriesResultsUrls('GET', '/v1/messages/batches'), true)
  assert.equal(carriesResultsUrls('POST', '/v1/messages/batches'), false)
  assert.equal(carriesResultsUrls('GET', '/v1/messages/batches/msgbatch_01/results'), false)
  assert.equal(carriesResultsUrls('GET', '/v1/messages'), false)
})

test('an absolute results_url becomes relative; every other byte stays', () => {
  const body = batch('https://api.anthropic.com/v1/messages/batches/msgbatch_01/results')
  assert.equal(
    relativeResultsUrls(Buffer.from(body), undefined)?.toString(),
    batch('/v1/messages/batches/msgbatch_01/results'),
  )
})

test('a compressed body is decoded first (the rewrite is sent uncompressed)', () => {
  const body = batch('https://api.anthropic.com/v1/messages/batches/msgbatch_01/results')
  assert.equal(
    relativeResultsUrls(gzipSync(body), 'gzip')?.toString(),
    batch('/v1/messages/batches/msgbatch_01/results'),
  )
})

test('nothing to change: null (the original bytes go out)', () => {
  assert.equal(relativeResultsUrls(Buffer.from(batch(null)), undefined), null)
  assert.equal(relativeResultsUrls(Buffer.from('not json {'), 'gzip'), null)
  const other = batch('https://example.com/elsewhere')
  assert.equal(relativeResultsUrls(Buffer.from(other), undefined), null)
})
