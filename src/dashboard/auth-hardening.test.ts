import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ConfigError, loadConfig } from '../config.ts'
import { loadSessionSecret, signLoginToken } from './auth/session-secret.ts'
import { USED_LOGIN_LINKS_DIR } from './auth/used-login-links.ts'
import { rawGet, startDashboard, type DashboardHarness } from './test-support.ts'

// No database: these attacks never get past authentication.
describe('dashboard auth hardening', () => {
  let h: DashboardHarness
  before(async () => {
    h = await startDashboard(null, { STORAGE_ENABLED: 'false' })
  })
  after(() => h.close())

  const withKey = (key: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/api/requests`, { headers: { 'x-dashboard-key': key, ...headers } })

  test('prototype names under /assets are a 404, not a 500', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const res = await rawGet(`${h.url}/assets/${name}`, {})
      assert.equal(res.status, 404, name)
    }
  })

  test('ten wrong X-Dashboard-Key guesses, then 429 for every key and for the login form', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await withKey(`wrong-${i}`)).status, 401)
    const blocked = await withKey('wrong-10')
    assert.equal(blocked.status, 429)
    assert.equal(blocked.headers.get('retry-after'), '300')
    assert.deepEqual(
      ((await blocked.json()) as { error: { type: string } }).error.type,
      'rate_limit_error',
    )
    assert.equal((await withKey(h.key)).status, 429, 'the right key gets nothing either')
    const login = await fetch(`${h.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: h.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: h.key }),
    })
    assert.equal(login.status, 429)
  })
})

describe('dashboard auth behind a reverse proxy', () => {
  const from = (address: string, key: string, h: DashboardHarness) =>
    fetch(`${h.url}/api/requests`, {
      headers: { 'x-dashboard-key': key, 'x-forwarded-for': `203.0.113.99, ${address}` },
    })

  test('DASHBOARD_TRUST_PROXY=true limits each forwarded client, not the proxy', async () => {
    const h = await startDashboard(null, {
      STORAGE_ENABLED: 'false',
      DASHBOARD_TRUST_PROXY: 'true',
    })
    try {
      for (let i = 0; i < 10; i++) assert.equal((await from('10.0.0.1', 'wrong', h)).status, 401)
      assert.equal((await from('10.0.0.1', h.key, h)).status, 429)
      assert.notEqual((await from('10.0.0.2', h.key, h)).status, 429, 'another user is unaffected')
      assert.notEqual((await from('10.0.0.2', h.key, h)).status, 401)
    } finally {
      await h.close()
    }
  })

  test('without it X-Forwarded-For is ignored: a forged header does not dodge the limit', async () => {
    const h = await startDashboard(null, { STORAGE_ENABLED: 'false' })
    try {
      for (let i = 0; i < 10; i++) {
        assert.equal((await from(`10.0.1.${i}`, 'wrong', h)).status, 401)
      }
      assert.equal((await from('10.0.1.200', h.key, h)).status, 429)
    } finally {
      await h.close()
    }
  })
})

describe('single-use login links', () => {
  let dataDir: string
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'nexus-links-'))
  })
  after(() => rm(dataDir, { recursive: true, force: true }))

  test('a used link stays used after a restart', async () => {
    const env = { STORAGE_ENABLED: 'false', DATA_DIR: dataDir }
    const first = await startDashboard(null, env)
    const link = signLoginToken(await loadSessionSecret(dataDir), Date.now(), 60_000)
    const url = (h: DashboardHarness) => `${h.url}/login?token=${encodeURIComponent(link)}`
    try {
      assert.equal((await fetch(url(first), { redirect: 'manual' })).status, 303)
      assert.equal((await fetch(url(first), { redirect: 'manual' })).status, 401)
    } finally {
      await first.close()
    }
    const second = await startDashboard(null, { ...env, DASHBOARD_API_KEY: first.key })
    try {
      assert.equal((await fetch(url(second), { redirect: 'manual' })).status, 401)
    } finally {
      await second.close()
    }
    const dir = join(dataDir, USED_LOGIN_LINKS_DIR)
    const [mark] = await readdir(dir)
    assert.ok(mark)
    assert.equal((await stat(join(dir, mark))).mode & 0o777, 0o600)
  })
})

test('a DASHBOARD_API_KEY shorter than 16 characters stops the start with a clear message', () => {
  assert.throws(
    () => loadConfig({ DASHBOARD_API_KEY: 'x' }),
    (err: unknown) =>
      err instanceof ConfigError && /DASHBOARD_API_KEY: must be at least 16/.test(err.message),
  )
  assert.equal(loadConfig({ DASHBOARD_API_KEY: 'a'.repeat(16) }).dashboard.apiKey, 'a'.repeat(16))
})
