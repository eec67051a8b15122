import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { startProxy, testKey } from '../../test-support/proxy-harness.ts'
import { createLog } from '../log.ts'

function capture() {
  const lines: Array<Record<string, unknown>> = []
  const raw: string[] = []
  const log = createLog('info', (line) => {
    raw.push(line)
    lines.push(JSON.parse(line) as Record<string, unknown>)
  })
  return { log, lines, raw }
}

function post(url: string, key: string) {
  return fetch(`${url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a secret plan"}]}',
  })
}

describeEachDatabase('the proxy log', ({ db }) => {
  test('one info line per request, with no key, query or body', async () => {
    const { log, lines, raw } = capture()
    const h = await startProxy(db(), {}, log)
    const key = testKey()
    let res: Response
    try {
      res = await post(h.url, key)
      await res.arrayBuffer()
    } finally {
      // Closing first: every line of the exchange has been written by then.
      await h.close()
    }
    const requestLines = lines.filter((l) => l.msg === 'request')
    assert.equal(requestLines.length, 1)
    const line = requestLines[0]!
    assert.equal(line.level, 'info')
    assert.equal(line.requestId, res.headers.get('x-request-id'))
    assert.equal(line.method, 'POST')
    assert.equal(line.path, '/v1/messages')
    assert.equal(line.status, 200)
    assert.equal(line.domain, new URL(h.url).host)
    assert.equal(line.end, 'done')
    assert.equal(typeof line.durationMs, 'number')
    const all = raw.join('')
    assert.ok(!all.includes(key))
    assert.ok(!all.includes('secret plan'))
  })

  test('an unreachable upstream is logged at info with its kind, once per attempt', async () => {
    const { log, lines } = capture()
    const h = await startProxy(db(), { CLAUDE_API_BASE_URL: 'http://127.0.0.1:9' }, log)
    try {
      const res = await post(h.url, testKey())
      assert.equal(res.status, 502)
      const id = res.headers.get('x-request-id')
      const failures = lines.filter((l) => l.msg === 'upstream error' && l.requestId === id)
      assert.deepEqual(
        failures.map((l) => [l.level, l.kind, l.code, l.attempt, l.retry]),
        [
          ['info', 'connect', 'ECONNREFUSED', 0, true],
          ['info', 'connect', 'ECONNREFUSED', 1, true],
          ['info', 'connect', 'ECONNREFUSED', 2, false],
        ],
      )
      const request = lines.find((l) => l.msg === 'request' && l.requestId === id)
      assert.equal(request?.status, 502)
      assert.equal(request?.end, 'upstream_error')
    } finally {
      await h.close()
    }
  })
})
