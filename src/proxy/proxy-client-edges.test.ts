import assert from 'node:assert/strict'
import { request } from 'node:http'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import {
  startProxy,
  testKey,
  waitForRow,
  type ProxyHarness,
} from '../../test-support/proxy-harness.ts'

/** Writes a whole request on a raw socket and hangs up at once, before any answer. */
function sendAndHangUp(
  url: string,
  host: string,
  body: string,
  length = body.length,
): Promise<void> {
  const { port } = new URL(url)
  const head =
    `POST /v1/messages HTTP/1.1\r\nhost: ${host}\r\nx-api-key: ${testKey()}\r\n` +
    `content-type: application/json\r\ncontent-length: ${length}\r\n\r\n`
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(head + body, () => {
        socket.destroy()
        resolve()
      })
    })
    socket.on('error', reject)
  })
}

async function waitForDomainRow(db: Database, domain: string) {
  for (let i = 0; i < 500; i++) {
    const r = await sql<{
      request_id: string
    }>`select request_id from api_requests where domain = ${domain}`.execute(db.kysely)
    if (r.rows[0]) return waitForRow(db, r.rows[0].request_id)
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`no row for ${domain}`)
}

/** A POST sent the way curl sends a large one: headers first, the body after "100 Continue". */
function postExpectingContinue(
  url: string,
  body: Buffer,
  headers: { 'content-type'?: string; 'content-length'?: number } = {},
): Promise<{ status: number; sawContinue: boolean; text: string }> {
  return new Promise((resolve, reject) => {
    let sawContinue = false
    const req = request(`${url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': testKey(),
        'content-type': 'application/json',
        'content-length': body.length,
        expect: '100-continue',
        ...headers,
      },
    })
    req.on('continue', () => {
      sawContinue = true
      req.end(body)
    })
    req.on('response', (res) => {
      let text = ''
      res.on('data', (c: Buffer) => (text += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sawContinue, text }))
    })
    req.on('error', reject)
    req.flushHeaders()
  })
}

describeEachDatabase('clients at the edges of HTTP', ({ db }) => {
  let h: ProxyHarness
  before(async () => {
    h = await startProxy(db())
  })
  after(() => h.close())

  test('a client that sends a whole request and hangs up is stored as client_abort, not forwarded', async () => {
    const before = h.mock.received.length
    const host = `hangup-${Math.random().toString(36).slice(2)}.example.com`
    await sendAndHangUp(h.url, host, '{"model":"m","max_tokens":5,"messages":[]}')
    const row = await waitForDomainRow(db(), host)
    assert.equal(row.stream_end, 'client_abort')
    assert.equal(row.status_code, null)
    assert.deepEqual(row.body, { model: 'm', max_tokens: 5, messages: [] })
    assert.equal(h.mock.received.length, before)
    assert.equal(h.app.metrics.inFlight, 0)
    assert.equal(h.app.metrics.clientAborts, 1)
  })

  test('a client that hangs up halfway through its body is stored as client_abort', async () => {
    const before = h.mock.received.length
    const host = `halfway-${Math.random().toString(36).slice(2)}.example.com`
    await sendAndHangUp(h.url, host, '{"model":"m","max_tok', 500)
    const row = await waitForDomainRow(db(), host)
    assert.equal(row.stream_end, 'client_abort')
    assert.equal(row.status_code, null)
    assert.equal(h.mock.received.length, before)
    assert.equal(h.app.metrics.inFlight, 0)
  })

  test('Expect: 100-continue with a body over 1 MB is answered and forwarded without Expect', async () => {
    const text = 'y'.repeat(1_200_000)
    const body = Buffer.from(
      JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: text }] }),
    )
    const res = await postExpectingContinue(h.url, body)
    assert.equal(res.status, 200, res.text)
    assert.equal(res.sawContinue, true)
    const upstream = h.mock.received.at(-1)!
    assert.equal(upstream.body.length, body.length)
    assert.equal(upstream.headers.expect, undefined)
  })

  test('Expect: 100-continue for a body that would be refused is answered without asking for it', async () => {
    const before = h.mock.received.length
    const body = Buffer.from('{"model":"m","messages":[]}')
    const plain = await postExpectingContinue(h.url, body, { 'content-type': 'text/plain' })
    assert.deepEqual([plain.status, plain.sawContinue], [415, false])
    // Declared far over the limit: the client must not be told to start sending it.
    const huge = await postExpectingContinue(h.url, Buffer.alloc(0), { 'content-length': 2 ** 40 })
    assert.deepEqual([huge.status, huge.sawContinue], [413, false])
    assert.equal(JSON.parse(huge.text).error.type, 'request_too_large')
    assert.equal(h.mock.received.length, before)
  })

  test('a cross-origin text/plain POST gets 415 in Anthropic’s shape and is not forwarded', async () => {
    const before = h.mock.received.length
    for (const [path, type] of [
      ['/v1/messages', 'text/plain;charset=UTF-8'],
      ['/v1/messages/count_tokens', 'application/x-www-form-urlencoded'],
      ['/v1/messages', undefined],
    ] as const) {
      const res = await fetch(`${h.url}${path}`, {
        method: 'POST',
        headers: {
          'x-api-key': testKey(),
          origin: 'https://elsewhere.example',
          ...(type ? { 'content-type': type } : {}),
        },
        body: type ? '{"model":"m","messages":[]}' : new Blob(['{}']),
      })
      assert.equal(res.status, 415, `${path} ${type}`)
      const body = (await res.json()) as { type: string; error: { type: string } }
      assert.equal(body.type, 'error')
      assert.equal(body.error.type, 'invalid_request_error')
      const row = await waitForRow(db(), res.headers.get('x-request-id')!)
      assert.equal(row.status_code, 415)
    }
    assert.equal(h.mock.received.length, before)
  })

  test('JSON with a charset, or a +json type, is forwarded', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/vnd.x+json']) {
      const res = await fetch(`${h.url}/v1/messages/count_tokens`, {
        method: 'POST',
        headers: { 'x-api-key': testKey(), 'content-type': type },
        body: '{"model":"m","messages":[]}',
      })
      assert.equal(res.status, 200, type)
    }
  })
})
