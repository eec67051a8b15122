import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import Anthropic from '@anthropic-ai/sdk'
import { fetchAsHost, randomDomain } from '../../test-support/host-fetch.ts'
import { textMessage } from '../../test-support/mock-anthropic.ts'
import { startProxy, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import { startTokenServer, writeJson, type TokenServer } from './test-support.ts'

const MODEL = 'claude-sonnet-4-6'
const OAUTH_BETA = 'oauth-2025-04-20'

describe('OAuth credentials through the proxy', () => {
  let tokens: TokenServer
  let h: ProxyHarness

  before(async () => {
    tokens = await startTokenServer()
    h = await startProxy(null, { STORAGE_ENABLED: 'false', CLAUDE_OAUTH_TOKEN_URL: tokens.url })
  })
  after(async () => {
    await h.close()
    await tokens.close()
  })

  /** A domain whose credential file holds `old` tokens that expire at `expiresAt`. */
  async function oauthDomain(expiresAt: number) {
    const domain = randomDomain('oauth')
    const id = domain.split('.')[0]
    const old = { accessToken: `sk-ant-oat01-old-${id}`, refreshToken: `sk-ant-ort01-old-${id}` }
    const path = await writeJson(h.credentialsDir, `${domain}.credentials.json`, {
      type: 'oauth',
      accountId: `acc_${id}`,
      oauth: { ...old, expiresAt, scopes: ['user:inference'] },
    })
    const fresh = { accessToken: `sk-ant-oat01-new-${id}`, refreshToken: `sk-ant-ort01-new-${id}` }
    const client = new Anthropic({
      apiKey: 'placeholder',
      baseURL: h.url,
      fetch: fetchAsHost(domain),
      maxRetries: 0,
    })
    return {
      domain,
      path,
      old,
      fresh,
      client,
      refreshes: () =>
        tokens.requests.filter((r) => JSON.stringify(r.body).includes(old.refreshToken)),
    }
  }

  // Each request's only user message is its domain, which tells the tests' requests apart.
  const upstreamFor = (domain: string) =>
    h.mock.received.filter((r) => r.body.toString().includes(domain))

  const ask = (client: Anthropic, domain: string) =>
    client.messages.create(
      { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: domain }] },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    )

  test('50 concurrent requests on an expired token: one refresh, all succeed with the new token', async () => {
    const { domain, path, old, fresh, client, refreshes } = await oauthDomain(Date.now() - 60_000)
    tokens.reply = () => ({
      status: 200,
      delayMs: 150,
      body: {
        access_token: fresh.accessToken,
        refresh_token: fresh.refreshToken,
        expires_in: 3600,
        scope: 'user:inference user:profile',
      },
    })
    h.mock.handler = () => ({ kind: 'json', body: textMessage(MODEL, 'ok') })
    const results = await Promise.all(Array.from({ length: 50 }, () => ask(client, domain)))
    assert.equal(results.length, 50)
    assert.ok(results.every((r) => r.content[0]?.type === 'text'))

    assert.equal(refreshes().length, 1)
    assert.deepEqual(refreshes()[0]?.body, {
      grant_type: 'refresh_token',
      refresh_token: old.refreshToken,
      client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    })
    const upstream = upstreamFor(domain)
    assert.equal(upstream.length, 50)
    for (const r of upstream) {
      assert.equal(r.headers.authorization, `Bearer ${fresh.accessToken}`)
      assert.equal(r.headers['anthropic-beta'], `interleaved-thinking-2025-05-14,${OAUTH_BETA}`)
      assert.equal(r.headers['x-api-key'], undefined)
    }
    const written = JSON.parse(await readFile(path, 'utf8')) as { oauth: Record<string, unknown> }
    assert.equal(written.oauth.accessToken, fresh.accessToken)
    assert.equal(written.oauth.refreshToken, fresh.refreshToken)
    assert.deepEqual(written.oauth.scopes, ['user:inference', 'user:profile'])
    assert.equal((await stat(path)).mode & 0o777, 0o600)
  })

  test('an upstream 401 causes one refresh and one retry with the new token', async () => {
    const { domain, old, fresh, client, refreshes } = await oauthDomain(Date.now() + 3_600_000)
    tokens.reply = () => ({
      status: 200,
      body: {
        access_token: fresh.accessToken,
        refresh_token: fresh.refreshToken,
        expires_in: 3600,
      },
    })
    h.mock.handler = (req) =>
      req.headers.authorization === `Bearer ${old.accessToken}`
        ? {
            kind: 'json',
            status: 401,
            body: {
              type: 'error',
              error: { type: 'authentication_error', message: 'OAuth token has been revoked' },
            },
          }
        : { kind: 'json', body: textMessage(MODEL, 'after refresh') }
    const message = await ask(client, domain)
    assert.deepEqual(message.content, [{ type: 'text', text: 'after refresh' }])
    assert.equal(refreshes().length, 1)
    assert.deepEqual(
      upstreamFor(domain).map((r) => r.headers.authorization),
      [`Bearer ${old.accessToken}`, `Bearer ${fresh.accessToken}`],
    )
  })

  test('a refresh token the endpoint rejects: every client gets a 401 in Anthropic shape', async () => {
    const { domain, client, refreshes } = await oauthDomain(Date.now() - 60_000)
    tokens.reply = () => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Refresh token revoked' },
    })
    const errors = await Promise.all(
      Array.from({ length: 5 }, () =>
        ask(client, domain).then(
          () => assert.fail('expected a 401'),
          (e: unknown) => e,
        ),
      ),
    )
    for (const err of errors) {
      assert.ok(err instanceof Anthropic.AuthenticationError)
      assert.equal(err.status, 401)
      const body = err.error as { type: string; error: { type: string; message: string } }
      assert.equal(body.type, 'error')
      assert.equal(body.error.type, 'authentication_error')
      assert.match(body.error.message, new RegExp(`acc_${domain.split('.')[0]}`))
      assert.doesNotMatch(body.error.message, /sk-ant-o/)
    }
    assert.equal(refreshes().length, 1)
    assert.equal(upstreamFor(domain).length, 0, 'no request went upstream with an expired token')
  })

  test('an unreachable or failing token endpoint: a 502 in Anthropic shape', async () => {
    const { domain, client } = await oauthDomain(Date.now() - 60_000)
    tokens.reply = () => ({ status: 503, body: { error: 'temporarily_unavailable' } })
    const err = await ask(client, domain).then(
      () => assert.fail('expected a 502'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof Anthropic.APIError)
    assert.equal(err.status, 502)
    assert.equal((err.error as { error: { type: string } }).error.type, 'api_error')
    assert.equal(upstreamFor(domain).length, 0)
  })
})
