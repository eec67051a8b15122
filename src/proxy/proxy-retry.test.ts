import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { startProxy, testKey, waitForRow } from '../../test-support/proxy-harness.ts'
import { createUpstream, type Upstream } from './upstream.ts'
import { upstreamFailureKind } from './upstream-failure.ts'

function post(url: string) {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': testKey() },
    body: '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"once"}]}',
  })
}

/** The first request goes to a port nobody listens on (a real ECONNREFUSED), then to `url`. */
function refusedOnce(url: string): Upstream & { attempts: number } {
  const refused = createUpstream({ baseUrl: 'http://127.0.0.1:9', connections: 1, timeoutMs: 5000 })
  const real = createUpstream({ baseUrl: url, connections: 4, timeoutMs: 5000 })
  return {
    attempts: 0,
    request(req) {
      this.attempts++
      return (this.attempts === 1 ? refused : real).request(req)
    },
    async close() {
      await refused.close()
      await real.close()
    },
  }
}

describeEachDatabase('retrying upstream requests', ({ db }) => {
  test('a POST upstream received before the connection dropped is sent once, then 502', async () => {
    const h = await startProxy(db())
    try {
      h.mock.handler = () => ({ kind: 'reset' })
      const res = await post(h.url)
      assert.equal(res.status, 502)
      assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'api_error')
      assert.equal(h.mock.received.length, 1)
      const row = await waitForRow(db(), res.headers.get('x-request-id')!)
      assert.equal(row.status_code, 502)
    } finally {
      await h.close()
    }
  })

  test('a refused connection is retried and the answer reaches the client', async () => {
    let upstream: ReturnType<typeof refusedOnce> | undefined
    const h = await startProxy(db(), {}, undefined, (url) => (upstream = refusedOnce(url)))
    try {
      const res = await post(h.url)
      assert.equal(res.status, 200)
      assert.equal(upstream?.attempts, 2)
      assert.equal(h.mock.received.length, 1)
    } finally {
      await h.close()
    }
  })
})

describe('which upstream failures are retried', () => {
  test('only those before the request left this host', () => {
    assert.equal(upstreamFailureKind({ code: 'ECONNREFUSED' }), 'connect')
    assert.equal(upstreamFailureKind({ code: 'EAI_AGAIN' }), 'connect')
    assert.equal(upstreamFailureKind({ code: 'UND_ERR_CONNECT_TIMEOUT' }), 'connect')
    assert.equal(
      upstreamFailureKind({ code: 'UND_ERR_SOCKET', socket: { bytesWritten: 0 } }),
      'connect',
    )
    assert.equal(
      upstreamFailureKind({ code: 'UND_ERR_SOCKET', socket: { bytesWritten: 310 } }),
      'connection_lost',
    )
    assert.equal(upstreamFailureKind({ code: 'ECONNRESET' }), 'connection_lost')
    assert.equal(upstreamFailureKind({ code: 'EPIPE' }), 'connection_lost')
    assert.equal(upstreamFailureKind(new Error('boom')), 'other')
  })
})
