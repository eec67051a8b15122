// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { AuthenticationError, UpstreamError } from '../errors.ts'
import { createCredentials } from './create-credentials.ts'
import type { Credentials } from './create-credentials.ts'
import { silentLog } from './log.ts'
import { deadUrl, manualClock, startTokenServer, tempDir, writeJson } from './test-support.ts'
import type { TokenServer } from './test-support.ts'

const DOMAIN = 'team.example.com'
const FILE = 'team.example.com.credentials.json'

describe('oauth refresh', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let clock: ReturnType<typeof manualClock>
  let server: TokenServer

  beforeEach(async () => {
    ;({ dir, cleanup } = await tempDir())
    clock = manualClock()
    server = await startTokenServer()
  })
  afterEach(async () => {
    await server.close()
    await cleanup()
  })

  function credentials(tokenUrl = server.url): Credentials {
    return createCredentials({
      dir,
      tokenUrl,
      clientId: 'test-client-id',
      enableClientAuth: false,
      fetch,
      clock: clock.read,
      log: silentLog,
    })
  }

  async function oauthFile(expiresAt: number, extra: Record<string, unknown> = {}) {
    return writeJson(dir, FILE, {
      type: 'oauth',
      accountId: 'acc_oauth',
      oauth: { accessToken: 'access-0', refreshToken: 'refresh-0', expiresAt, isMax: true },
      ...extra,
    })
  }

  it('does not refresh a token with more than 60 s left', async () => {
    await oauthFile(clock.now + 60_000)
    const auth = await credentials().resolveUpstreamAuth(DOMAIN, {})
    assert.equal(auth.headers['authorization'], 'Bearer access-0')
    assert.equal(server.requests.length, 0)
  })

  it('makes one token request for 50 concurrent requests on an expired token', async () => {
    await oauthFile(clock.now - 1000)
    server.reply = (_req, n) => ({
      status: 200,
      body: { access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 3600 },
      delayMs: 50,
    })
    const creds = credentials()
    const results = await Promise.all(
      Array.from({ length: 50 }, () => creds.resolveUpstreamAuth(DOMAIN, {})),
    )
    assert.equal(server.requests.length, 1)
    assert.deepEqual(server.requests[0], {
      method: 'POST',
      url: '/v1/oauth/token',
      contentType: 'application/json',
      body: {
        grant_type: 'refresh_token',
        refresh_token: 'refresh-0',
        client_id: 'test-client-id',
      },
    })
    for (const auth of results) {
      assert.equal(auth.source, 'oauth')
      assert.equal(auth.accountId, 'acc_oauth')
      assert.equal(auth.headers['authorization'], 'Bearer access-1')
    }
  })

  it('refreshes inside the 60 s margin and writes the file back with mode 0600', async () => {
    await oauthFile(clock.now + 59_000, { client_api_key: 'cnp_live_kept', note: 'kept' })
    server.reply = () => ({
      status: 200,
      body: {
        access_token: 'access-new',
        refresh_token: 'refresh-new',
        expires_in: 28_800,
        scope: 'user:inference user:profile',
      },
    })
    await credentials().resolveUpstreamAuth(DOMAIN, {})
    const path = join(dir, FILE)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), {
      type: 'oauth',
      accountId: 'acc_oauth',
      oauth: {
        accessToken: 'access-new',
        refreshToken: 'refresh-new',
        expiresAt: clock.now + 28_800_000,
        refreshedAt: clock.now,
        isMax: true,
        scopes: ['user:inference', 'user:profile'],
      },
      client_api_key: 'cnp_live_kept',
      note: 'kept',
    })
  })

  it('keeps the refresh token when the endpoint does not rotate it', async () => {
    await oauthFile(clock.now - 1)
    server.reply = () => ({ status: 200, body: { access_token: 'access-new', expires_in: 60 } })
    await credentials().resolveUpstreamAuth(DOMAIN, {})
    const saved = JSON.parse(await readFile(join(dir, FILE), 'utf8')) as {
      oauth: { refreshToken: string }
    }
    assert.equal(saved.oauth.refreshToken, 'refresh-0')
  })

  it('refreshes once after upstream 401s, however many requests saw it', async () => {
    await oauthFile(clock.now + 3_600_000)
    const creds = credentials()
    const first = await creds.resolveUpstreamAuth(DOMAIN, {})
    assert.equal(first.headers['authorization'], 'Bearer access-0')
    assert.ok(first.retryAfterUnauthorized)
    const retries = await Promise.all(
      Array.from({ length: 10 }, () => first.retryAfterUnauthorized?.()),
    )
    for (const retry of retries) {
      assert.equal(retry?.headers['authorization'], 'Bearer access-1')
      assert.equal(retry?.retryAfterUnauthorized, undefined)
    }
    // A late 401 for the old token finds the new one on disk and does not refresh again.
    const late = await first.retryAfterUnauthorized()
    assert.equal(late.headers['authorization'], 'Bearer access-1')
    assert.equal(server.requests.length, 1)
  })

  it('turns a rejected refresh token into a 401 that names no token', async () => {
    await oauthFile(clock.now - 1)
    server.reply = () => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Refresh token refresh-0 is revoked' },
    })
    await assert.rejects(credentials().resolveUpstreamAuth(DOMAIN, {}), (err: unknown) => {
      assert.ok(err instanceof AuthenticationError)
      assert.equal(err.status, 401)
      assert.equal(
        err.message,
        'The OAuth token endpoint rejected the refresh token of account acc_oauth ' +
          '(HTTP 400, invalid_grant). Sign in again (for example with `claude login`) ' +
          'and put the new tokens into team.example.com.credentials.json.',
      )
      return true
    })
  })

  it('does not hammer the endpoint after a rejection, until the file changes', async () => {
    await oauthFile(clock.now - 1)
    server.reply = () => ({ status: 401, body: { error: 'invalid_grant' } })
    const creds = credentials()
    await assert.rejects(creds.resolveUpstreamAuth(DOMAIN, {}), AuthenticationError)
    await assert.rejects(creds.resolveUpstreamAuth(DOMAIN, {}), AuthenticationError)
    assert.equal(server.requests.length, 1)
    await writeJson(dir, FILE, {
      type: 'oauth',
      accountId: 'acc_oauth',
      oauth: { accessToken: 'access-x', refreshToken: 'refresh-fixed', expiresAt: clock.now - 1 },
    })
    clock.now += 1000
    server.reply = () => ({ status: 200, body: { access_token: 'access-ok', expires_in: 3600 } })
    const auth = await creds.resolveUpstreamAuth(DOMAIN, {})
    assert.equal(auth.headers['authorization'], 'Bearer access-ok')
    assert.equal(server.requests.length, 2)
  })

  it('turns an unreachable endpoint into a 502', async () => {
    await oauthFile(clock.now - 1)
    const creds = credentials(await deadUrl())
    await assert.rejects(creds.resolveUpstreamAuth(DOMAIN, {}), (err: unknown) => {
      assert.ok(err instanceof UpstreamError)
      assert.equal(err.status, 502)
      assert.equal(
        err.message,
        'Could not reach the OAuth token endpoint (ECONNREFUSED) to refresh the token of ' +
          'account acc_oauth. Check CLAUDE_OAUTH_TOKEN_URL and the network, then retry.',
      )
      return true
    })
  })

  it('turns a 5xx from the endpoint into a 502', async () => {
    await oauthFile(clock.now - 1)
    server.reply = () => ({ status: 503, body: { error: 'unavailable' } })
    await assert.rejects(credentials().resolveUpstreamAuth(DOMAIN, {}), (err: unknown) => {
      assert.ok(err instanceof UpstreamError)
      assert.equal(err.status, 502)
      assert.equal(err.message.includes('HTTP 503'), true)
      return true
    })
  })

  it('turns a malformed success into a 502', async () => {
    await oauthFile(clock.now - 1)
    server.reply = () => ({ status: 200, body: { token: 'x' } })
    await assert.rejects(credentials().resolveUpstreamAuth(DOMAIN, {}), UpstreamError)
  })

  it('keeps serving a token that has not expired yet when the refresh fails', async () => {
    await oauthFile(clock.now + 30_000)
    const creds = credentials(await deadUrl())
    const auth = await creds.resolveUpstreamAuth(DOMAIN, {})
    assert.equal(auth.headers['authorization'], 'Bearer access-0')
  })

  it('never lets a polling reader see a partial file during many refreshes', async () => {
    const path = await oauthFile(clock.now + 3_600_000)
    const creds = credentials()
    let reads = 0
    let broken = 0
    let writing = true
    const reader = (async () => {
      while (writing) {
        const text = await readFile(path, 'utf8')
        try {
          const parsed = JSON.parse(text) as { oauth: { accessToken: string } }
          assert.match(parsed.oauth.accessToken, /^access-\d+$/)
        } catch {
          broken++
        }
        reads++
      }
    })()
    let auth = await creds.resolveUpstreamAuth(DOMAIN, {})
    for (let i = 1; i <= 40; i++) {
      const retried = await auth.retryAfterUnauthorized?.()
      assert.equal(retried?.headers['authorization'], `Bearer access-${i}`)
      auth = await creds.resolveUpstreamAuth(DOMAIN, {})
    }
    writing = false
    await reader
    assert.equal(server.requests.length, 40)
    assert.equal(broken, 0)
    assert.ok(reads > 40, `only ${reads} reads`)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
  })
})
