// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { AuthenticationError } from '../errors.ts'
import { createCredentials } from './create-credentials.ts'
import type { Credentials } from './create-credentials.ts'
import { silentLog } from './log.ts'
import { deadUrl, manualClock, tempDir, writeJson } from './test-support.ts'

const slack = { webhook_url: 'https://hooks.slack.test/T1', channel: '#claude' }

describe('resolveUpstreamAuth', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let clock: ReturnType<typeof manualClock>
  let tokenUrl: string

  beforeEach(async () => {
    ;({ dir, cleanup } = await tempDir())
    clock = manualClock()
    // No test here refreshes; a dead endpoint makes an accidental refresh fail loudly.
    tokenUrl = await deadUrl()
    await writeJson(dir, 'keys.example.com.credentials.json', {
      type: 'api_key',
      api_key: 'sk-ant-api03-proxy',
      accountId: 'acc_keys',
      client_api_key: 'cnp_live_one',
      client_api_keys: ['cnp_live_two'],
      slack,
    })
    await writeJson(dir, 'nokeys.example.com.credentials.json', {
      type: 'api_key',
      api_key: 'sk-ant-api03-proxy',
      accountId: 'acc_nokeys',
    })
    await writeJson(dir, 'oauth.example.com.credentials.json', {
      type: 'oauth',
      accountId: 'acc_oauth',
      oauth: { accessToken: 'sk-ant-oat01-a', refreshToken: 'r', expiresAt: clock.now + 3_600_000 },
    })
  })
  afterEach(() => cleanup())

  function credentials(enableClientAuth: boolean): Credentials {
    return createCredentials({
      dir,
      tokenUrl,
      clientId: 'c',
      enableClientAuth,
      fetch,
      clock: clock.read,
      log: silentLog,
    })
  }

  it('uses the api key of the domain file', async () => {
    const auth = await credentials(false).resolveUpstreamAuth('keys.example.com', {
      'x-api-key': 'whatever-the-client-sent',
    })
    assert.deepEqual(auth, {
      accountId: 'acc_keys',
      source: 'api_key',
      headers: { 'x-api-key': 'sk-ant-api03-proxy' },
      slack,
    })
  })

  it('sends OAuth as a bearer token and merges the oauth beta', async () => {
    const auth = await credentials(false).resolveUpstreamAuth('oauth.example.com', {
      'anthropic-beta': 'claude-code-20250219',
    })
    assert.equal(auth.source, 'oauth')
    assert.equal(auth.accountId, 'acc_oauth')
    assert.deepEqual(auth.headers, {
      authorization: 'Bearer sk-ant-oat01-a',
      'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20',
    })
    assert.equal(auth.betaToAdd, 'oauth-2025-04-20')
    assert.equal(typeof auth.retryAfterUnauthorized, 'function')
  })

  it('does not repeat an oauth beta the client already sent', async () => {
    const auth = await credentials(false).resolveUpstreamAuth('oauth.example.com', {
      'anthropic-beta': 'oauth-2025-04-20',
    })
    assert.equal(auth.headers['anthropic-beta'], 'oauth-2025-04-20')
  })

  describe('with client auth', () => {
    it('accepts a client key as Bearer', async () => {
      const auth = await credentials(true).resolveUpstreamAuth('keys.example.com', {
        authorization: 'Bearer cnp_live_one',
      })
      assert.equal(auth.accountId, 'acc_keys')
      assert.deepEqual(auth.headers, { 'x-api-key': 'sk-ant-api03-proxy' })
    })

    it('accepts a client key as x-api-key, from the list form', async () => {
      const auth = await credentials(true).resolveUpstreamAuth('keys.example.com', {
        'x-api-key': 'cnp_live_two',
      })
      assert.equal(auth.accountId, 'acc_keys')
    })

    it('guards OAuth domains as well', async () => {
      await assert.rejects(
        credentials(true).resolveUpstreamAuth('oauth.example.com', { 'x-api-key': 'cnp_live_one' }),
        AuthenticationError,
      )
    })

    const rejections: [string, string, Record<string, string>, string][] = [
      ['a wrong key', 'keys.example.com', { 'x-api-key': 'cnp_live_x' }, 'Invalid client API key.'],
      [
        'no key',
        'keys.example.com',
        {},
        'Missing client API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
      ],
      [
        'a domain without client keys',
        'nokeys.example.com',
        { 'x-api-key': 'cnp_live_one' },
        'Client authentication is enabled but no client key is configured for this domain; ' +
          'add client_api_key to its credential file.',
      ],
    ]
    for (const [name, domain, headers, message] of rejections) {
      it(`rejects ${name} with 401`, async () => {
        await assert.rejects(
          credentials(true).resolveUpstreamAuth(domain, headers),
          (err: unknown) => {
            assert.ok(err instanceof AuthenticationError)
            assert.equal(err.status, 401)
            assert.equal(err.message, message)
            return true
          },
        )
      })
    }
  })

  describe('without a credential file', () => {
    it('passes the client x-api-key through under a hashed account', async () => {
      const auth = await credentials(false).resolveUpstreamAuth('other.example.com', {
        'x-api-key': 'sk-ant-api03-client-own',
      })
      assert.deepEqual(auth, {
        accountId: 'acct_07f921ffe4f5bb20',
        source: 'passthrough',
        headers: { 'x-api-key': 'sk-ant-api03-client-own' },
      })
    })

    it('passes a subscription bearer token through, also with client auth on', async () => {
      const auth = await credentials(true).resolveUpstreamAuth('other.example.com', {
        authorization: 'Bearer sk-ant-oat01-subscription',
        'anthropic-beta': 'oauth-2025-04-20',
      })
      assert.deepEqual(auth, {
        accountId: 'acct_fb978f8dfe638457',
        source: 'passthrough',
        headers: { authorization: 'Bearer sk-ant-oat01-subscription' },
      })
    })

    it('rejects a request that carries no key', async () => {
      await assert.rejects(
        credentials(false).resolveUpstreamAuth('other.example.com', {}),
        AuthenticationError,
      )
    })
  })

  it('serves repeated requests from memory', async () => {
    const creds = credentials(false)
    const first = await creds.resolveUpstreamAuth('keys.example.com', {})
    await cleanup()
    const second = await creds.resolveUpstreamAuth('keys.example.com', {})
    assert.deepEqual(second, first)
  })
})
