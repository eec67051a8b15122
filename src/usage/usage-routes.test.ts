import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { silentLog } from '../log.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { requireDashboardKey } from './require-dashboard-key.ts'
import { usageRoutes } from './usage-routes.ts'
import { randomId, usageRecord } from './usage-test-records.ts'

const KEY = 'dash-key-for-usage-routes'
const NOW = Date.parse('2026-11-25T12:30:00Z')
const HAIKU = 'claude-haiku-4-5-20251001'
// Usage reports a model under one name whatever its spelling (src/usage/model-id.ts).
const SONNET_FAMILY = 'claude-sonnet-4-5'
const HAIKU_FAMILY = 'claude-haiku-4-5'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describeEachDatabase('usage API', ({ db }) => {
  const a = randomId('acc_a')
  const b = randomId('acc_b')
  const idle = randomId('acc_idle')
  const dA = `${randomId('da')}.test`
  const dB = `${randomId('db')}.test`
  const dE = `${randomId('de')}.test`
  let app: ReturnType<typeof usageRoutes>

  before(async () => {
    app = usageRoutes({
      db: db(),
      clock: () => NOW,
      log: silentLog,
      auth: requireDashboardKey(KEY),
    })
    const at = (timestamp: string, rest: Parameters<typeof usageRecord>[0]) =>
      usageRecord({ timestamp, ...rest })
    await insertRequestRecords(db(), [
      // Account a: a block 23:00–04:00 (the 03:15 request is still inside it), then the
      // current block from 10:00, across two domains. Costs at Sonnet 4.5 / Haiku 4.5 rates.
      at('2026-11-24T23:30:00.000Z', {
        domain: dA,
        accountId: a,
        inputTokens: 100,
        costUsd: 0.0003,
      }),
      at('2026-11-25T03:15:00.000Z', {
        domain: dA,
        accountId: a,
        outputTokens: 10,
        costUsd: 0.00015,
      }),
      at('2026-11-25T10:10:00.000Z', {
        domain: dA,
        accountId: a,
        inputTokens: 1000,
        outputTokens: 100,
        costUsd: 0.0045,
      }),
      at('2026-11-25T10:40:00.000Z', {
        domain: dA,
        accountId: a,
        inputTokens: 2000,
        outputTokens: 200,
        cacheReadInputTokens: 10_000,
        costUsd: 0.012,
      }),
      at('2026-11-25T12:20:00.000Z', {
        domain: dB,
        accountId: a,
        model: HAIKU,
        inputTokens: 500,
        outputTokens: 50,
        costUsd: 0.00075,
      }),
      // Account b: upstream told us its window.
      at('2026-11-25T12:00:00.000Z', {
        domain: dB,
        accountId: b,
        inputTokens: 10,
        costUsd: 0.00003,
        responseHeaders: {
          'anthropic-ratelimit-unified-status': 'allowed',
          'anthropic-ratelimit-unified-reset': '1795618800',
          'anthropic-ratelimit-unified-representative-claim': 'five_hour',
          'anthropic-ratelimit-unified-5h-utilization': '0.4',
          'anthropic-ratelimit-unified-5h-reset': '1795618800',
        },
      }),
      // An account idle for more than five hours has no current block.
      at('2026-11-25T06:00:00.000Z', {
        domain: dB,
        accountId: idle,
        inputTokens: 10,
        costUsd: 0.00003,
      }),
      at('2026-11-25T11:15:00.000Z', {
        domain: dE,
        accountId: null,
        statusCode: 529,
        error: 'Overloaded',
        errorType: 'overloaded_error',
      }),
      at('2026-11-25T11:20:00.000Z', { domain: dE, accountId: null }),
    ])
  })

  const get = async (path: string, status = 200): Promise<Json> => {
    const res = await app.request(path, { headers: { 'x-dashboard-key': KEY } })
    assert.equal(res.status, status, `${path}: ${res.status}`)
    return (await res.json()) as Json
  }

  test('current: the 5-hour block with burn rate and projection', async () => {
    const body = await get(`/api/token-usage/current?accountId=${a}`)
    assert.equal(body.now, '2026-11-25T12:30:00.000Z')
    assert.equal(body.accounts.length, 1)
    const { accountId, block, window, rateLimits } = body.accounts[0]
    assert.equal(accountId, a)
    assert.equal(rateLimits, null)
    assert.deepEqual(window, {
      source: 'usage_blocks',
      status: null,
      resetAt: '2026-11-25T15:00:00.000Z',
      utilization: null,
      representativeClaim: null,
      windowName: '5h',
      observedAt: null,
    })
    assert.deepEqual(
      [block.start, block.end, block.firstRequestAt, block.lastRequestAt, block.isActive],
      [
        '2026-11-25T10:00:00.000Z',
        '2026-11-25T15:00:00.000Z',
        '2026-11-25T10:10:00.000Z',
        '2026-11-25T12:20:00.000Z',
        true,
      ],
    )
    assert.equal(block.requests, 3)
    assert.deepEqual(block.tokens, {
      input: 3500,
      output: 350,
      cacheWrite: 0,
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      cacheRead: 10_000,
      total: 13_850,
    })
    assert.equal(block.costUsd, 0.01725)
    assert.deepEqual(
      block.domains.map((d: Json) => [d.domain, d.requests, d.costUsd]),
      [
        [dA, 2, 0.0165],
        [dB, 1, 0.00075],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    )
    assert.deepEqual(
      block.models.map((m: Json) => [m.model, m.requests]),
      [
        [SONNET_FAMILY, 2],
        [HAIKU_FAMILY, 1],
      ].sort(),
    )
    // 140 minutes since the first request: 13,850 / 140 tokens and 17.25 m$ × 60 / 140 per hour.
    assert.deepEqual(block.burnRate, {
      tokensPerMinute: 98.92857142857143,
      inputOutputTokensPerMinute: 27.5,
      costUsdPerHour: 0.007392857142857143,
      activeMinutes: 140,
    })
    // 150 minutes left: 13,850 + 150 × 98.93 tokens; 17.25 m$ + 150/140 × 17.25 m$.
    assert.deepEqual(block.projection, {
      tokens: 28_689,
      costUsd: 0.035732143,
      remainingMinutes: 150,
    })
  })

  test("current: upstream's unified headers give the real window", async () => {
    const body = await get(`/api/token-usage/current?accountId=${b}`)
    const [account] = body.accounts
    assert.deepEqual(account.window, {
      source: 'rate_limit_headers',
      status: 'allowed',
      resetAt: '2026-11-25T15:00:00.000Z',
      utilization: 0.4,
      representativeClaim: 'five_hour',
      windowName: '5h',
      observedAt: '2026-11-25T12:00:00.000Z',
    })
    assert.equal(account.rateLimits.unified.windows['5h'].utilization, 0.4)
    assert.equal(account.block.start, '2026-11-25T12:00:00.000Z')
  })

  test('current: an idle account has no block', async () => {
    assert.deepEqual((await get(`/api/token-usage/current?accountId=${idle}`)).accounts, [])
  })

  test('daily: zero-filled days in the asked time zone', async () => {
    const utc = await get(`/api/token-usage/daily?days=2&domain=${dA}`)
    assert.deepEqual(
      utc.days.map((d: Json) => [
        d.date,
        d.requests,
        d.costUsd,
        d.models.map((m: Json) => m.model),
      ]),
      [
        ['2026-11-24', 1, 0.0003, [SONNET_FAMILY]],
        ['2026-11-25', 3, 0.01665, [SONNET_FAMILY]],
      ],
    )
    assert.deepEqual(
      [utc.from, utc.to, utc.totals.requests, utc.totals.costUsd],
      ['2026-11-24', '2026-11-25', 4, 0.01695],
    )
    // 23:30 UTC on the 24th is 00:30 on the 25th in Paris.
    const paris = await get(`/api/token-usage/daily?days=2&domain=${dA}&timeZone=Europe/Paris`)
    assert.deepEqual(
      paris.days.map((d: Json) => [d.date, d.requests]),
      [
        ['2026-11-24', 0],
        ['2026-11-25', 4],
      ],
    )
  })

  test('time-series: hourly buckets per domain, every bucket present', async () => {
    const body = await get(
      `/api/token-usage/time-series?accountId=${a}&from=2026-11-25T10:00:00Z&to=2026-11-25T12:30:00Z&groupBy=domain`,
    )
    assert.deepEqual(body.buckets, ['2026-11-25T10:00', '2026-11-25T11:00', '2026-11-25T12:00'])
    const series = Object.fromEntries(
      body.series.map((s: Json) => [s.group, s.points.map((p: Json) => p.requests)]),
    )
    assert.deepEqual(series, { [dA]: [2, 0, 0], [dB]: [0, 0, 1] })
  })

  test('accounts: totals, domains and rate limits per account', async () => {
    const body = await get(`/api/token-usage/accounts?days=1&accountId=${a}`)
    assert.deepEqual(
      body.accounts.map((x: Json) => [
        x.accountId,
        x.domains,
        x.requests,
        x.costUsd,
        x.firstRequestAt,
        x.lastRequestAt,
        x.rateLimits,
      ]),
      [
        [
          a,
          [dA, dB].sort(),
          5,
          0.0177,
          '2026-11-24T23:30:00.000Z',
          '2026-11-25T12:20:00.000Z',
          null,
        ],
      ],
    )
  })

  test('requests/hourly: requests and errors per domain and hour', async () => {
    const body = await get(`/api/usage/requests/hourly?hours=3&domain=${dE}`)
    assert.deepEqual(body.hours, ['2026-11-25T10:00', '2026-11-25T11:00', '2026-11-25T12:00'])
    assert.deepEqual(body.domains, [
      {
        domain: dE,
        requests: 2,
        points: [
          { hour: '2026-11-25T10:00', requests: 0, errorRequests: 0 },
          { hour: '2026-11-25T11:00', requests: 2, errorRequests: 1 },
          { hour: '2026-11-25T12:00', requests: 0, errorRequests: 0 },
        ],
      },
    ])
  })

  test('token-stats: per domain and model', async () => {
    const body = await get(`/token-stats?domain=${dA}`)
    assert.deepEqual(
      body.domains.map((d: Json) => [
        d.domain,
        d.requests,
        d.tokens.total,
        d.costUsd,
        d.models.map((m: Json) => [m.model, m.requests]),
      ]),
      [[dA, 4, 13_410, 0.01695, [[SONNET_FAMILY, 4]]]],
    )
    assert.equal(body.totals.requests, 4)
  })

  test('every route needs the dashboard key', async () => {
    for (const path of [
      '/api/token-usage/current',
      '/api/token-usage/daily',
      '/api/token-usage/time-series',
      '/api/token-usage/accounts',
      '/api/usage/requests/hourly',
      '/token-stats',
    ]) {
      const none = await app.request(path)
      assert.equal(none.status, 401, path)
      assert.deepEqual(await none.json(), {
        type: 'error',
        error: { type: 'authentication_error', message: 'Missing X-Dashboard-Key header.' },
      })
      const wrong = await app.request(path, { headers: { 'x-dashboard-key': `${KEY}x` } })
      assert.equal(wrong.status, 401, path)
    }
    const unset = usageRoutes({
      db: db(),
      clock: () => NOW,
      log: silentLog,
      auth: requireDashboardKey(undefined),
    })
    const res = await unset.request('/token-stats', { headers: { 'x-dashboard-key': '' } })
    assert.equal(res.status, 401)
    assert.match(((await res.json()) as Json).error.message, /DASHBOARD_API_KEY is not set/)
  })

  test('bad parameters are a 400 in Anthropic error shape', async () => {
    const bad = [
      '/api/token-usage/daily?days=0',
      '/api/token-usage/daily?timeZone=Mars/Olympus_Mons',
      '/api/token-usage/time-series?from=2026-01-01T00:00:00Z&to=2026-11-25T00:00:00Z',
      '/api/token-usage/time-series?from=yesterday',
      '/api/token-usage/time-series?granularity=minute',
      '/api/usage/requests/hourly?hours=-1',
    ]
    for (const path of bad) {
      const body = await get(path, 400)
      assert.equal(body.type, 'error', path)
      assert.equal(body.error.type, 'invalid_request_error', path)
    }
  })

  test('without storage every route is a 503', async () => {
    const off = usageRoutes({
      db: null,
      clock: () => NOW,
      log: silentLog,
      auth: requireDashboardKey(KEY),
    })
    const res = await off.request('/api/token-usage/daily', { headers: { 'x-dashboard-key': KEY } })
    assert.equal(res.status, 503)
    assert.equal(((await res.json()) as Json).error.type, 'overloaded_error')
  })
})
