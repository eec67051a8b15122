import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import { signSession, keyIdOf } from './auth/session-token.ts'
import { seedConversation, type SeededConversation } from './demo/demo-conversations.ts'
import { demoRecord } from './demo/demo-records.ts'
import {
  loginCookie,
  randomKey,
  rawGet,
  startDashboard,
  writeCredentialFile,
  type DashboardHarness,
} from './test-support.ts'
import { sha256 } from '../credentials/hash.ts'
import { readFile } from 'node:fs/promises'

const navigation = { accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'none' }

describeEachDatabase('dashboard auth', ({ db }) => {
  let h: DashboardHarness
  let keyA: string
  let a: SeededConversation
  let b: SeededConversation
  let bOnly: string
  before(async () => {
    h = await startDashboard(db())
    keyA = randomKey('cnp_live_')
    await writeCredentialFile(h.proxy.credentialsDir, 'team-a.test', [keyA])
    await writeCredentialFile(h.proxy.credentialsDir, 'team-b.test', [randomKey('cnp_live_')])
    const now = Date.now()
    a = await seedConversation(db(), {
      domain: 'team-a.test',
      start: new Date(now - 3_600_000),
      marker: 'alpha',
    })
    b = await seedConversation(db(), {
      domain: 'team-b.test',
      start: new Date(now - 3_500_000),
      marker: 'bravo',
    })
    const secret = demoRecord({
      at: new Date(now - 60_000),
      domain: 'team-b.test',
      messages: [{ role: 'user', content: 'team b secret plans' }],
    })
    bOnly = secret.requestId
    await insertRequestRecords(db(), [secret])
  })
  after(() => h.close())

  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${h.url}${path}`, { redirect: 'manual', ...init })

  test('without a session every page redirects to the login form and every API answers 401', async () => {
    for (const path of [
      '/',
      '/requests',
      `/requests/${a.requestIds[0]}`,
      '/conversations',
      `/conversations/${a.conversationId}`,
      '/usage',
      '/analysis',
      '/nope',
    ]) {
      const res = await rawGet(`${h.url}${path}`, navigation)
      assert.equal(res.status, 303, path)
      assert.equal(res.headers.location, `/login?next=${encodeURIComponent(path)}`)
    }
    for (const path of [
      '/events',
      '/fragments/requests',
      `/requests/${a.requestIds[0]}/raw/request`,
    ]) {
      const res = await get(path)
      assert.equal(res.status, 401, path)
      assert.deepEqual(await res.json(), {
        type: 'error',
        error: {
          type: 'authentication_error',
          message: 'Log in to the dashboard or send X-Dashboard-Key',
        },
      })
    }
  })

  test('the login page and assets are public and carry the security headers', async () => {
    const res = await get('/login')
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self';/)
    assert.equal(res.headers.get('x-frame-options'), 'DENY')
    assert.equal((await get('/assets/vendor/uPlot.iife.min.js')).status, 200)
    assert.equal(
      (await rawGet(`${h.url}/assets/../package.json`, {})).status,
      401,
      'normalised to /package.json, which is no asset',
    )
    assert.equal((await get('/assets/nope.js')).status, 404)
  })

  test('a cross-site navigation without the Strict cookie reloads itself instead of showing the form', async () => {
    const res = await rawGet(`${h.url}/conversations`, {
      ...navigation,
      'sec-fetch-site': 'cross-site',
    })
    assert.equal(res.status, 200)
    assert.match(res.text, /http-equiv="refresh"/)
    assert.ok(!res.text.includes('conversation-list'))
  })

  test('login sets an httpOnly SameSite=Strict session cookie that is not the key', async () => {
    const res = await fetch(`${h.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: h.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: h.key, next: '/usage' }),
    })
    assert.equal(res.status, 303)
    assert.equal(res.headers.get('location'), '/usage')
    const cookie = res.headers.get('set-cookie') ?? ''
    assert.match(
      cookie,
      /^nexus_session=v1\.[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    )
    assert.ok(!cookie.includes(h.key))
    const ok = await get('/usage', { headers: { cookie: cookie.split(';')[0] as string } })
    assert.equal(ok.status, 200)
  })

  test('login refuses a wrong key, an open redirect and cross-origin posts', async () => {
    const post = (body: Record<string, string>, headers: Record<string, string>) =>
      fetch(`${h.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body),
      })
    assert.equal((await post({ key: 'wrong' }, { origin: h.url })).status, 401)
    assert.equal((await post({ key: h.key }, { origin: 'http://evil.example' })).status, 403)
    assert.equal((await post({ key: h.key }, {})).status, 403, 'no Origin and no Sec-Fetch-Site')
    const redirect = await post({ key: h.key, next: '//evil.example/x' }, { origin: h.url })
    assert.equal(redirect.headers.get('location'), '/')
  })

  test('forged, tampered and foreign cookies are refused', async () => {
    const cookie = await loginCookie(h.url, h.key)
    const value = cookie.slice('nexus_session='.length)
    const [v, payload, sig] = value.split('.')
    const forged = {
      scope: { kind: 'admin' },
      keyId: 'x',
      issuedAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
      nonce: 'n',
    }
    const otherSecret = signSession(forged as never, randomBytes(32))
    const swapped = `${v}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`
    for (const bad of [
      otherSecret,
      swapped,
      `${v}.${payload}.${'A'.repeat(43)}`,
      h.key,
      'garbage',
    ]) {
      const res = await get('/requests', { headers: { cookie: `nexus_session=${bad}` } })
      assert.equal(res.status, 401, bad)
    }
  })

  test('a correctly signed session for a key that is not configured is refused', async () => {
    const secret = Buffer.from(
      (await readFile(join(h.proxy.dataDir, 'dashboard-session.secret'), 'utf8')).trim(),
      'base64url',
    )
    const stale = signSession(
      {
        scope: { kind: 'admin' },
        keyId: keyIdOf(sha256('an old key'), secret),
        issuedAt: Date.now(),
        expiresAt: Date.now() + 60_000,
        nonce: 'n',
      },
      secret,
    )
    assert.equal(
      (await get('/requests', { headers: { cookie: `nexus_session=${stale}` } })).status,
      401,
    )
  })

  test('X-Dashboard-Key opens the API; a wrong one is a 401 even with a valid cookie', async () => {
    const ok = await get(`/requests/${a.requestIds[0]}/raw/request`, {
      headers: { 'x-dashboard-key': h.key },
    })
    assert.equal(ok.status, 200)
    assert.match(ok.headers.get('content-disposition') ?? '', /^attachment;/)
    const cookie = await loginCookie(h.url, h.key)
    const bad = await get('/requests', { headers: { 'x-dashboard-key': 'nope', cookie } })
    assert.equal(bad.status, 401)
  })

  test('logout clears the cookie and the old session stops working', async () => {
    const cookie = await loginCookie(h.url, h.key)
    assert.equal((await get('/requests', { headers: { cookie } })).status, 200)
    const out = await get('/logout', { method: 'POST', headers: { cookie, origin: h.url } })
    assert.equal(out.status, 303)
    assert.match(out.headers.get('set-cookie') ?? '', /^nexus_session=; Max-Age=0/)
    assert.equal((await get('/requests', { headers: { cookie } })).status, 401)
  })

  test('writes need the same origin even with a valid session', async () => {
    const cookie = await loginCookie(h.url, h.key)
    const body = JSON.stringify({ conversationId: a.conversationId, branchId: 'main' })
    const post = (headers: Record<string, string>) =>
      get('/api/analyses', {
        method: 'POST',
        body,
        headers: { cookie, 'content-type': 'application/json', ...headers },
      })
    assert.equal((await post({ origin: 'http://evil.example' })).status, 403)
    assert.equal((await post({ 'sec-fetch-site': 'cross-site' })).status, 403)
    assert.equal((await post({ origin: h.url })).status, 202)
  })

  test('the conversation page has the analysis panel; there is no analysis page', async () => {
    const cookie = await loginCookie(h.url, h.key)
    const page = await get(`/conversations/${a.conversationId}`, { headers: { cookie } })
    assert.equal(page.status, 200)
    assert.match(await page.text(), /data-testid="analysis-panel"/)
    const request = await get(`/requests/${a.requestIds[0]}`, { headers: { cookie } })
    assert.doesNotMatch(await request.text(), /analysis/i)
    assert.equal((await get('/analysis', { headers: { cookie } })).status, 404)
  })

  test('the SSE stream needs a session and then opens', async () => {
    assert.equal(
      (await get('/events', { headers: { cookie: 'nexus_session=forged' } })).status,
      401,
    )
    const cookie = await loginCookie(h.url, h.key)
    const controller = new AbortController()
    const res = await get('/events', { headers: { cookie }, signal: controller.signal })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/)
    const reader = res.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    assert.match(first, /^event: ready\ndata: \{"viewer":"admin"\}/)
    controller.abort()
  })

  test("a domain's client key sees that domain only", async () => {
    const cookie = await loginCookie(h.url, keyA)
    const list = await (await get('/requests', { headers: { cookie } })).text()
    assert.ok(list.includes(a.requestIds[0] as string))
    assert.ok(!list.includes('team-b.test'), 'no other domain in the list or its filters')
    for (const path of [
      `/requests/${bOnly}`,
      `/requests/${b.requestIds[0]}`,
      `/conversations/${b.conversationId}`,
      `/requests/${bOnly}/raw/request`,
    ]) {
      const res = await get(path, { headers: { cookie } })
      assert.equal(res.status, 404, path)
      assert.ok(!(await res.text()).includes('secret plans'))
    }
    assert.equal(
      (await get(`/conversations/${a.conversationId}`, { headers: { cookie } })).status,
      200,
    )
    for (const path of ['/conversations', '/usage', '/', '/requests?q=secret']) {
      const body = await (await get(path, { headers: { cookie } })).text()
      assert.ok(!body.includes('team-b.test'), path)
      assert.ok(!body.includes(b.conversationId.slice(0, 8)), path)
    }
    const header = await get(`/requests/${bOnly}`, { headers: { 'x-dashboard-key': keyA } })
    assert.equal(header.status, 404)
  })

  test('removing a client key from its credential file ends its sessions', async () => {
    const key = randomKey('cnp_live_')
    await writeCredentialFile(h.proxy.credentialsDir, 'team-c.test', [key])
    const cookie = await loginCookie(h.url, key)
    assert.equal((await get('/requests', { headers: { cookie } })).status, 200)
    await writeCredentialFile(h.proxy.credentialsDir, 'team-c.test', [randomKey('cnp_live_')])
    await new Promise((r) => setTimeout(r, 1100)) // the credential store rechecks files each second
    assert.equal((await get('/requests', { headers: { cookie } })).status, 401)
    await rm(join(h.proxy.credentialsDir, 'team-c.test.credentials.json'))
  })

  test('the usage API on the proxy port takes the same keys, scoped by ?domain=', async () => {
    const api = (path: string, key: string) =>
      fetch(`${h.proxy.url}${path}`, { headers: { 'x-dashboard-key': key } })
    assert.equal((await api('/api/token-usage/daily', h.key)).status, 200)
    assert.equal((await api('/api/token-usage/daily', 'wrong')).status, 401)
    assert.equal((await fetch(`${h.proxy.url}/api/token-usage/daily`)).status, 401)
    assert.equal((await api('/api/token-usage/daily', keyA)).status, 403)
    assert.equal((await api('/api/token-usage/daily?domain=team-b.test', keyA)).status, 403)
    assert.equal((await api('/api/token-usage/daily?domain=team-a.test', keyA)).status, 200)
  })

  describe('with DASHBOARD_READ_ONLY=true and no key', () => {
    let ro: DashboardHarness
    before(async () => {
      ro = await startDashboard(db(), { DASHBOARD_API_KEY: '', DASHBOARD_READ_ONLY: 'true' })
      await seedConversation(db(), { domain: 'ro.test', start: new Date(Date.now() - 60_000) })
    })
    after(() => ro.close())

    test('anonymous visitors read, and every write is refused', async () => {
      const res = await fetch(`${ro.url}/conversations`)
      assert.equal(res.status, 200)
      const html = await res.text()
      assert.match(html, /read-only · anonymous/)
      const write = await fetch(`${ro.url}/api/analyses`, {
        method: 'POST',
        headers: { origin: ro.url, 'content-type': 'application/json' },
        body: JSON.stringify({
          conversationId: '00000000-0000-4000-8000-000000000000',
          branchId: 'main',
        }),
      })
      assert.equal(write.status, 403)
      assert.deepEqual(await write.json(), {
        type: 'error',
        error: { type: 'permission_error', message: 'The dashboard is read-only' },
      })
    })
  })

  describe('with no key and no read-only opt-in', () => {
    let closed: DashboardHarness
    before(async () => {
      closed = await startDashboard(db(), { DASHBOARD_API_KEY: '' })
    })
    after(() => closed.close())

    test('nothing is readable', async () => {
      for (const path of ['/', '/requests', '/events']) {
        assert.equal(
          (await fetch(`${closed.url}${path}`, { redirect: 'manual' })).status,
          401,
          path,
        )
      }
      const login = await fetch(`${closed.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: closed.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ key: '' }),
      })
      assert.equal(login.status, 401)
    })
  })
})
