import assert from 'node:assert/strict'
import { test } from 'node:test'
import { metricsRoute } from './metrics-route.ts'

const CHUNKS = ['nexus_up{site="zürich"} 1\n', 'nexus_down 0\n']
const render = () => Promise.resolve(CHUNKS)
const TOKEN = 'metrics-token-0123456789'

test('on a loopback bind without a token /metrics is open', async () => {
  const res = await metricsRoute({ render, token: undefined, host: '127.0.0.1' }).request(
    '/metrics',
  )
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
  // The chunks in order, and a length that counts bytes, not characters.
  assert.equal(res.headers.get('content-length'), '40')
  assert.equal(await res.text(), 'nexus_up{site="zürich"} 1\nnexus_down 0\n')
})

test('on a non-loopback bind without a token every scrape is refused with 403', async () => {
  const res = await metricsRoute({ render, token: undefined, host: '0.0.0.0' }).request('/metrics')
  assert.equal(res.status, 403)
  const body = (await res.json()) as { error: { type: string; message: string } }
  assert.equal(body.error.type, 'permission_error')
  assert.match(body.error.message, /METRICS_TOKEN/)
})

test('with a token only the right Bearer token is answered', async () => {
  const app = metricsRoute({ render, token: TOKEN, host: '0.0.0.0' })
  const none = await app.request('/metrics')
  assert.equal(none.status, 401)
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="metrics"')
  const wrong = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } })
  assert.equal(wrong.status, 401)
  const right = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
  assert.equal(right.status, 200)
  assert.equal(await right.text(), CHUNKS.join(''))
})
