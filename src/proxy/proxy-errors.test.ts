import assert from 'node:assert/strict'
import { request } from 'node:http'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import {
  startProxy,
  testKey,
  waitForRow,
  type ProxyHarness,
} from '../../test-support/proxy-harness.ts'

function post(url: string, headers: Record<string, string>, body = '{"model":"m","messages":[]}') {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
}

/** node:http lets a test send a Host header that fetch would refuse to send. */
function postWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/messages`,
      { method: 'POST', headers: { host, 'x-api-key': testKey() } },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end('{}')
  })
}

describeEachDatabase('the proxy’s own errors', ({ db }) => {
  let h: ProxyHarness
  before(async () => {
    h = await startProxy(db(), { PROXY_MAX_REQUEST_BYTES: '4096', CLAUDE_API_TIMEOUT: '400' })
  })
  after(() => h.close())

  test('a hostile Host header is refused before it reaches the file system', async () => {
    for (const host of ['../../etc/passwd', 'a/b', '..%2f..', 'x'.repeat(300)]) {
      const res = await postWithHost(h.url, host)
      assert.equal(res.status, 400, host)
      assert.equal(JSON.parse(res.body).error.type, 'invalid_request_error')
    }
  })

  test('no credential file and no key gives 401 in Anthropic’s shape, and is stored', async () => {
    const res = await post(h.url, {})
    assert.equal(res.status, 401)
    const body = await res.json()
    assert.equal(body.type, 'error')
    assert.equal(body.error.type, 'authentication_error')
    const row = await waitForRow(db(), res.headers.get('x-request-id')!)
    assert.equal(row.status_code, 401)
    assert.equal(row.error_type, 'authentication_error')
  })

  test('a body over the limit gives 413 request_too_large', async () => {
    const res = await post(
      h.url,
      { 'x-api-key': testKey() },
      JSON.stringify({ pad: 'x'.repeat(5000) }),
    )
    assert.equal(res.status, 413)
    assert.equal((await res.json()).error.type, 'request_too_large')
  })

  test('an upstream that never answers gives 504 and the record says timeout', async () => {
    h.mock.handler = () => ({ kind: 'hang' })
    const res = await post(h.url, { 'x-api-key': testKey() })
    assert.equal(res.status, 504)
    assert.equal((await res.json()).error.type, 'timeout_error')
    const row = await waitForRow(db(), res.headers.get('x-request-id')!)
    assert.equal(row.stream_end, 'timeout')
    h.mock.handler = undefined
  })

  test('with client auth on, the domain’s key is required and its own API key goes upstream', async () => {
    const domain = new URL(h.url).host
    const clientKey = 'cnp_live_' + 'A1b2C3d4'.repeat(4)
    await writeFile(
      join(h.credentialsDir, `${domain}.credentials.json`),
      JSON.stringify({
        type: 'api_key',
        accountId: 'acc_team',
        api_key: 'sk-ant-api03-upstreamsecretvalue',
        client_api_key: clientKey,
      }),
    )
    const authed = await startProxy(db(), {
      ENABLE_CLIENT_AUTH: 'true',
      CREDENTIALS_DIR: h.credentialsDir,
    })
    try {
      const authedDomain = new URL(authed.url).host
      await writeFile(
        join(h.credentialsDir, `${authedDomain}.credentials.json`),
        JSON.stringify({
          type: 'api_key',
          accountId: 'acc_team',
          api_key: 'sk-ant-api03-upstreamsecretvalue',
          client_api_key: clientKey,
        }),
      )
      const wrong = await post(authed.url, {
        authorization: 'Bearer cnp_live_wrongwrongwrongwrong',
      })
      assert.equal(wrong.status, 401)
      assert.equal(authed.mock.received.length, 0)
      const ok = await post(authed.url, { authorization: `Bearer ${clientKey}` })
      assert.equal(ok.status, 200)
      const upstream = authed.mock.received.at(-1)!
      assert.equal(upstream.headers['x-api-key'], 'sk-ant-api03-upstreamsecretvalue')
      assert.equal(upstream.headers['authorization'], undefined)
      const row = await waitForRow(db(), ok.headers.get('x-request-id')!)
      assert.equal(row.account_id, 'acc_team')
      assert.equal(row.auth_source, 'api_key')
      assert.ok(!JSON.stringify(row).includes(clientKey))
    } finally {
      await authed.close()
    }
  })
})

describeEachDatabase('an unreachable upstream', ({ db }) => {
  test('gives 502 api_error after the connection retries', async () => {
    const h = await startProxy(db(), { CLAUDE_API_BASE_URL: 'http://127.0.0.1:9' })
    try {
      const res = await post(h.url, { 'x-api-key': testKey() })
      assert.equal(res.status, 502)
      const body = await res.json()
      assert.equal(body.error.type, 'api_error')
      assert.match(body.error.message, /ECONNREFUSED/)
      const row = await waitForRow(db(), res.headers.get('x-request-id')!)
      assert.equal(row.status_code, 502)
    } finally {
      await h.close()
    }
  })
})
