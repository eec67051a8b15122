import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { sseForMessage, textMessage } from '../../test-support/mock-anthropic.ts'
import {
  startProxy,
  testKey,
  waitForRow,
  type ProxyHarness,
} from '../../test-support/proxy-harness.ts'
import { listRequests } from '../dashboard/queries/request-queries.ts'

async function streamThrough(url: string, domainKey: string) {
  const res = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': domainKey },
    body: '{"model":"claude-haiku-4-5","max_tokens":5,"stream":true,"messages":[]}',
  })
  await res.arrayBuffer().catch(() => undefined)
  return res
}

describeEachDatabase('a stream that upstream drops', ({ db }) => {
  let h: ProxyHarness
  before(async () => {
    h = await startProxy(db())
  })
  after(() => h.close())
  const stream = Buffer.from(sseForMessage(textMessage('claude-haiku-4-5', 'half an answer')))

  test('a reset mid-stream is stored with its 200, an error, and is among the errors', async () => {
    h.mock.handler = () => ({ kind: 'sse', stream, splitAt: [300], resetAfterBytes: 400 })
    const res = await streamThrough(h.url, testKey())
    assert.equal(res.status, 200)
    const row = await waitForRow(db(), res.headers.get('x-request-id')!)
    assert.equal(row.status_code, 200)
    assert.equal(row.stream_end, 'upstream_error')
    assert.equal(row.error_type, 'api_error')
    assert.match(row.error ?? '', /^Upstream stream failed/)
    await assertListedAsError(row.domain, row.request_id)
  })

  test('a clean close before message_stop is stored with an error', async () => {
    const cut = stream.indexOf('event: content_block_stop')
    h.mock.handler = () => ({ kind: 'sse', stream: stream.subarray(0, cut) })
    const res = await streamThrough(h.url, testKey())
    assert.equal(res.status, 200)
    const row = await waitForRow(db(), res.headers.get('x-request-id')!)
    assert.equal(row.status_code, 200)
    assert.equal(row.stream_end, 'upstream_error')
    assert.equal(row.error_type, 'api_error')
    assert.equal(row.error, 'Upstream stream ended before message_stop')
    await assertListedAsError(row.domain, row.request_id)
  })

  test('a complete stream is ok, not an error', async () => {
    h.mock.handler = undefined
    const res = await streamThrough(h.url, testKey())
    const row = await waitForRow(db(), res.headers.get('x-request-id')!)
    assert.equal(row.error, null)
    const all = { kind: 'all' } as const
    const ok = await listRequests(db(), all, { domain: row.domain, status: 'ok' }, { limit: 50 })
    assert.deepEqual(
      ok.rows.map((r) => r.request_id),
      [row.request_id],
    )
  })

  async function assertListedAsError(domain: string, requestId: string) {
    const all = { kind: 'all' } as const
    const errors = await listRequests(db(), all, { domain, status: 'error' }, { limit: 50 })
    assert.ok(errors.rows.some((r) => r.request_id === requestId))
    const ok = await listRequests(db(), all, { domain, status: 'ok' }, { limit: 50 })
    assert.ok(!ok.rows.some((r) => r.request_id === requestId))
  }
})
