import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { credentialStatuses, formatStatuses } from './credential-status.ts'
import { exchangeCode, OAuthLoginError, saveLogin } from './oauth-login.ts'
import { authorizeUrl, createPkceSession, parsePastedCode, PastedCodeError } from './pkce.ts'
import { startTokenServer, tempDir, writeJson } from './test-support.ts'
import type { TokenServer } from './test-support.ts'

const fixedBytes = (n: number) => Buffer.alloc(n, 7)

describe('PKCE', () => {
  it('makes a base64url verifier and its S256 challenge', () => {
    const session = createPkceSession(fixedBytes)
    assert.equal(session.verifier, 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc')
    assert.equal(session.challenge, '3Ev4DHdHPRMPoN6GukAY_pi7IUAF5qWJHRK6kURvnoE')
    assert.equal(session.state, session.verifier)
  })

  it('builds the authorize URL Claude Code opens', () => {
    const url = new URL(
      authorizeUrl({
        authorizeUrl: 'https://claude.ai/oauth/authorize',
        clientId: 'client-1',
        redirectUri: 'https://console.anthropic.com/oauth/code/callback',
        session: { verifier: 'v', challenge: 'c', state: 's' },
      }),
    )
    assert.equal(url.origin + url.pathname, 'https://claude.ai/oauth/authorize')
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      code: 'true',
      client_id: 'client-1',
      response_type: 'code',
      redirect_uri: 'https://console.anthropic.com/oauth/code/callback',
      scope: 'org:create_api_key user:profile user:inference',
      code_challenge: 'c',
      code_challenge_method: 'S256',
      state: 's',
    })
  })

  it('takes the code from code#state only when the state is this login’s', () => {
    assert.equal(parsePastedCode('  abc123#state-1 \n', 'state-1'), 'abc123')
    assert.throws(() => parsePastedCode('abc123', 'state-1'), PastedCodeError)
    assert.throws(() => parsePastedCode('abc123#other', 'state-1'), /another login/)
    assert.throws(() => parsePastedCode('', 'state-1'), /No authorization code/)
  })
})

describe('oauth login: exchange and save', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let server: TokenServer
  beforeEach(async () => {
    ;({ dir, cleanup } = await tempDir())
    server = await startTokenServer()
  })
  afterEach(async () => {
    await server.close()
    await cleanup()
  })

  const exchange = () => ({
    tokenUrl: server.url,
    clientId: 'client-1',
    redirectUri: 'https://example.test/callback',
    fetch,
  })

  it('sends the code with the PKCE verifier and returns the tokens', async () => {
    server.reply = () => ({
      status: 200,
      body: { access_token: 'at', refresh_token: 'rt', expires_in: 3600, scope: 'user:inference' },
    })
    const session = { verifier: 'verifier-1', challenge: 'x', state: 'state-1' }
    const tokens = await exchangeCode(exchange(), 'code-1', session)
    assert.deepEqual(server.requests, [
      {
        method: 'POST',
        url: '/v1/oauth/token',
        contentType: 'application/json',
        body: {
          grant_type: 'authorization_code',
          code: 'code-1',
          state: 'state-1',
          client_id: 'client-1',
          redirect_uri: 'https://example.test/callback',
          code_verifier: 'verifier-1',
        },
      },
    ])
    assert.deepEqual(tokens, {
      access_token: 'at',
      refresh_token: 'rt',
      expires_in: 3600,
      scope: 'user:inference',
    })
  })

  it('reports a refused code as refused, naming no code', async () => {
    server.reply = () => ({ status: 400, body: { error: 'invalid_grant' } })
    const session = { verifier: 'v', challenge: 'c', state: 's' }
    const err = await exchangeCode(exchange(), 'secret-code', session).catch((e: unknown) => e)
    assert.ok(err instanceof OAuthLoginError)
    assert.equal(err.refused, true)
    assert.match(err.message, /HTTP 400, invalid_grant/)
    assert.ok(!err.message.includes('secret-code'))
  })

  it('writes a new file with mode 0600 and keeps client keys of an existing one', async () => {
    const tokens = { access_token: 'at', refresh_token: 'rt', expires_in: 60, scope: 'a b' }
    const path = await saveLogin({ dir, domain: 'team.example.com', tokens, now: 1000 })
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), {
      type: 'oauth',
      accountId: 'team.example.com',
      oauth: {
        accessToken: 'at',
        refreshToken: 'rt',
        expiresAt: 61_000,
        scopes: ['a', 'b'],
        refreshedAt: 1000,
      },
    })
    await writeJson(dir, 'other.example.com.credentials.json', {
      type: 'api_key',
      accountId: 'acc_other',
      api_key: 'sk-ant-api03-old',
      client_api_key: 'cnp_live_kept',
    })
    const other = await saveLogin({ dir, domain: 'other.example.com', tokens, now: 2000 })
    const saved = JSON.parse(await readFile(other, 'utf8')) as Record<string, unknown>
    assert.equal(saved['type'], 'oauth')
    assert.equal(saved['accountId'], 'acc_other')
    assert.equal(saved['client_api_key'], 'cnp_live_kept')
    assert.equal(saved['api_key'], undefined)
  })

  it('lists every credential file with kind, expiry and last refresh, never a secret', async () => {
    const tokens = { access_token: 'at-secret', refresh_token: 'rt-secret', expires_in: 7200 }
    await saveLogin({ dir, domain: 'b.example.com', tokens, now: 1_000_000 })
    await writeJson(dir, 'a.example.com.credentials.json', {
      type: 'api_key',
      accountId: 'acc_a',
      api_key: 'sk-ant-api03-secret',
    })
    await writeJson(dir, 'c.example.com.credentials.json', { type: 'oauth' })
    const statuses = await credentialStatuses(dir)
    assert.deepEqual(
      statuses.map(({ modifiedAt: _, ...s }) => s),
      [
        {
          file: 'a.example.com.credentials.json',
          domain: 'a.example.com',
          mode: '0600',
          kind: 'api_key',
          accountId: 'acc_a',
          expiresAt: null,
          refreshedAt: null,
          error: null,
        },
        {
          file: 'b.example.com.credentials.json',
          domain: 'b.example.com',
          mode: '0600',
          kind: 'oauth',
          accountId: 'b.example.com',
          expiresAt: 8_200_000,
          refreshedAt: 1_000_000,
          error: null,
        },
        {
          file: 'c.example.com.credentials.json',
          domain: 'c.example.com',
          mode: '0600',
          kind: 'invalid',
          accountId: null,
          expiresAt: null,
          refreshedAt: null,
          error:
            'Credential file c.example.com.credentials.json is invalid: oauth: Invalid input: expected object, received undefined; accountId: Invalid input: expected string, received undefined',
        },
      ],
    )
    const table = formatStatuses(statuses, 1_060_000)
    assert.match(table, /^b\.example\.com +oauth +b\.example\.com +in 1h 59m +1m ago +0600$/m)
    assert.ok(!/secret/.test(JSON.stringify(statuses) + table))
  })
})

describe('credential status of a missing directory', () => {
  it('is empty', async () => {
    assert.deepEqual(await credentialStatuses(join('/nonexistent', String(Math.random()))), [])
  })
})
