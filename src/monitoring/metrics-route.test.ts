import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { getRequestListener } from '@hono/node-server'
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

test('over a real socket each scrape gets its own bytes, also while buffers are reused', async () => {
  let n = 0
  // Every scrape a different length and content, so a reused buffer's leftovers would show.
  const render = () => {
    n += 1
    return Promise.resolve([`# scrape ${n}\n`, `nexus_up{site="zürich"} ${'9'.repeat(n)}\n`])
  }
  const server = createServer(
    getRequestListener(metricsRoute({ render, token: undefined, host: '::1' }).fetch),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
  try {
    const bodies = await Promise.all(
      [fetch(url), fetch(url), fetch(url)].map(async (r) => (await r).text()),
    )
    for (let i = 0; i < 3; i++) bodies.push(await (await fetch(url)).text())
    const expected = (k: number) => `# scrape ${k}\nnexus_up{site="zürich"} ${'9'.repeat(k)}\n`
    assert.deepEqual(bodies.toSorted(), [1, 2, 3, 4, 5, 6].map(expected))
  } finally {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  }
})
