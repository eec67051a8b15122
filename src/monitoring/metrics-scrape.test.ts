import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import Anthropic from '@anthropic-ai/sdk'
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { fetchAsHost, randomDomain } from '../../test-support/host-fetch.ts'
import { sseForMessage, textMessage, type MockReply } from '../../test-support/mock-anthropic.ts'
import { startProxy, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { startTokenServer, writeJson, type TokenServer } from '../credentials/test-support.ts'

let rows = 0
async function allRows(db: Database): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from api_requests`.execute(db.kysely)
  rows = r.rows[0]?.n ?? 0
  return rows
}

/** The value of one series in a scrape, or undefined when the scrape does not have it. */
function series(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

async function scrape(url: string, token?: string): Promise<string> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  const res = await fetch(`${url}/metrics`, { headers })
  assert.equal(res.status, 200)
  return res.text()
}

async function until(check: () => Promise<boolean>, what: string | (() => string)) {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

// The mock answers by a marker in the prompt.
function replies(_req: unknown, body: unknown): MockReply | undefined {
  const text = JSON.stringify(body)
  if (text.includes('STREAM')) {
    const message = textMessage('claude-haiku-4-5-20251001', 'streamed answer', {
      input_tokens: 100,
      output_tokens: 20,
      cache_read_input_tokens: 1000,
    })
    return { kind: 'sse', stream: Buffer.from(sseForMessage(message)), splitAt: [40, 400] }
  }
  if (text.includes('OVERLOADED')) {
    return {
      kind: 'json',
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    }
  }
  return undefined
}

describeEachDatabase('Prometheus metrics after real SDK traffic', ({ db }) => {
  const TOKEN = 'scrape-token-0123456789abcdef'
  let h: ProxyHarness
  let tokens: TokenServer
  let dashboard: Server
  let dashboardUrl: string

  before(async () => {
    tokens = await startTokenServer()
    h = await startProxy(db(), { METRICS_TOKEN: TOKEN, CLAUDE_OAUTH_TOKEN_URL: tokens.url })
    h.mock.handler = replies
    dashboard = createServer(h.app.dashboardListener)
    await new Promise<void>((resolve) => dashboard.listen(0, '127.0.0.1', resolve))
    dashboardUrl = `http://127.0.0.1:${(dashboard.address() as AddressInfo).port}`
  })
  after(async () => {
    dashboard.closeAllConnections()
    await new Promise((r) => dashboard.close(r))
    await h.close()
    await tokens.close()
  })

  test('requests, latency, first token, errors, tokens, cost, storage, linker and OAuth', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-api03-metrics', baseURL: h.url, maxRetries: 0 })
    const ask = (content: string, model = 'claude-sonnet-4-5') =>
      client.messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content }] })
    await ask('first')
    await ask('second')
    const stream = await client.messages
      .stream({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'STREAM' }],
      })
      .finalMessage()
    assert.equal(stream.usage.cache_read_input_tokens, 1000)
    await assert.rejects(ask('OVERLOADED'), (err: { status?: number }) => err.status === 529)
    await ask('an unpriced model', 'claude-nonesuch-9')
    await client.messages.countTokens({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'count' }],
    })
    // An OAuth domain whose token has expired: the proxy refreshes it once.
    const domain = randomDomain('metrics-oauth')
    await writeJson(h.credentialsDir, `${domain}.credentials.json`, {
      type: 'oauth',
      accountId: 'acc_metrics',
      oauth: {
        accessToken: 'sk-ant-oat01-old',
        refreshToken: 'sk-ant-ort01-old',
        expiresAt: Date.now() - 60_000,
        scopes: ['user:inference'],
      },
    })
    const oauthClient = new Anthropic({
      apiKey: 'placeholder',
      baseURL: h.url,
      fetch: fetchAsHost(domain),
      maxRetries: 0,
    })
    await oauthClient.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'oauth' }],
    })

    // Stored (directly or through the spool on a slow machine) and linked: the figures settle.
    await until(
      async () => (await allRows(db())) === 7,
      () => `seven rows, not ${rows}`,
    )
    await until(async () => h.app.writer!.stats().spoolRecords === 0, 'an empty spool')
    await until(
      async () => series(await scrape(h.url, TOKEN), 'nexus_conversation_linker_lag_seconds') === 0,
      'the linker to catch up',
    )
    const text = await scrape(h.url, TOKEN)
    const sonnet = 'model_family="claude-sonnet-4-5"'
    const haiku = 'model_family="claude-haiku-4-5"'
    const requests = (labels: string) => series(text, 'nexus_requests_total', labels)
    assert.equal(requests(`status_class="2xx",${sonnet},request_type="inference"`), 3)
    assert.equal(requests(`status_class="2xx",${haiku},request_type="inference"`), 1)
    assert.equal(requests(`status_class="5xx",${sonnet},request_type="inference"`), 1)
    assert.equal(requests(`status_class="2xx",model_family="other",request_type="inference"`), 1)
    assert.equal(requests(`status_class="2xx",${sonnet},request_type="count_tokens"`), 1)
    assert.equal(
      series(text, 'nexus_request_duration_seconds_count', `${sonnet},streaming="false"`),
      5,
    )
    assert.equal(
      series(text, 'nexus_request_duration_seconds_count', `${haiku},streaming="true"`),
      1,
    )
    assert.equal(series(text, 'nexus_time_to_first_token_seconds_count', haiku), 1)
    assert.equal(series(text, 'nexus_time_to_first_token_seconds_count', sonnet), undefined)
    assert.equal(series(text, 'nexus_upstream_errors_total', 'kind="overloaded"'), 1)
    // The mock's message: 12 input and 7 output tokens; three answered sonnet requests.
    assert.equal(series(text, 'nexus_tokens_total', `${sonnet},kind="input"`), 36)
    assert.equal(series(text, 'nexus_tokens_total', `${sonnet},kind="output"`), 21)
    assert.equal(series(text, 'nexus_tokens_total', `${haiku},kind="input"`), 100)
    assert.equal(series(text, 'nexus_tokens_total', `${haiku},kind="output"`), 20)
    assert.equal(series(text, 'nexus_tokens_total', `${haiku},kind="cache_read"`), 1000)
    // Sonnet 4.5: $3 / $15 per million; Haiku 4.5: $1 / $5, cache reads $0.10.
    const sonnetCost = series(text, 'nexus_cost_usd_total', sonnet)!
    assert.ok(Math.abs(sonnetCost - (36 * 3 + 21 * 15) / 1e6) < 1e-12, String(sonnetCost))
    const haikuCost = series(text, 'nexus_cost_usd_total', haiku)!
    assert.ok(
      Math.abs(haikuCost - (100 * 1 + 20 * 5 + 1000 * 0.1) / 1e6) < 1e-12,
      String(haikuCost),
    )
    assert.equal(series(text, 'nexus_oauth_refreshes_total', 'outcome="success"'), 1)
    assert.equal(series(text, 'nexus_requests_in_flight'), 0)
    const stats = h.app.writer!.stats()
    assert.equal(series(text, 'nexus_storage_stored_total'), stats.stored)
    assert.equal(series(text, 'nexus_storage_spooled_total'), stats.spooled)
    assert.equal(series(text, 'nexus_storage_replayed_total'), stats.replayed)
    assert.ok(stats.stored + stats.replayed >= 7)
    assert.equal(series(text, 'nexus_storage_queue_depth'), 0)
    assert.equal(series(text, 'nexus_storage_spool_records'), 0)
    assert.equal(series(text, 'nexus_storage_spool_bytes'), 0)
    assert.equal(series(text, 'nexus_storage_degraded'), 0)
    assert.ok(series(text, 'nexus_storage_write_duration_seconds_count')! >= 1)
    assert.ok(series(text, 'process_cpu_user_seconds_total')! > 0)
    assert.ok(series(text, 'nodejs_heap_size_used_bytes')! > 0)
    // No request ids and no domains unless asked for.
    assert.doesNotMatch(text, /request_id|domain=/)
  })

  test('the dashboard port serves the same metrics, and both ports the same health', async () => {
    const res = await fetch(`${dashboardUrl}/metrics`)
    assert.equal(res.status, 401)
    const fromDashboard = await scrape(dashboardUrl, TOKEN)
    assert.match(fromDashboard, /^nexus_requests_total\{/m)
    assert.match(fromDashboard, /^nexus_storage_queue_depth /m)
    for (const url of [h.url, dashboardUrl]) {
      const live = await fetch(`${url}/health/live`)
      assert.deepEqual([live.status, await live.json()], [200, { status: 'ok' }])
      const ready = await fetch(`${url}/health/ready`)
      const body = (await ready.json()) as Record<string, unknown>
      assert.deepEqual(
        [ready.status, body.status, body.database, body.migrations, body.storage],
        [200, 'ok', 'up', 'applied', 'ok'],
      )
    }
  })
})

let labelled: ProxyHarness
before(async () => {
  labelled = await startProxy(null, { STORAGE_ENABLED: 'false', METRICS_DOMAIN_LABELS: 'true' })
})
after(async () => labelled.close())

test('METRICS_DOMAIN_LABELS=true adds the domain, also without storage', async () => {
  const domain = randomDomain('metrics-labels')
  const client = new Anthropic({
    apiKey: 'sk-ant-api03-labels',
    baseURL: labelled.url,
    fetch: fetchAsHost(domain),
    maxRetries: 0,
  })
  await client.messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 10,
    messages: [{ role: 'user', content: 'hi' }],
  })
  const labels = `status_class="2xx",model_family="claude-sonnet-4-5",request_type="inference",domain="${domain}"`
  await until(
    async () => series(await scrape(labelled.url), 'nexus_requests_total', labels) === 1,
    'the labelled series',
  )
  const text = await scrape(labelled.url)
  assert.equal(
    series(
      text,
      'nexus_tokens_total',
      `model_family="claude-sonnet-4-5",kind="input",domain="${domain}"`,
    ),
    12,
  )
  // Without storage there is no storage or linker figure to report.
  assert.doesNotMatch(text, /nexus_storage_|nexus_conversation_linker/)
})

test('METRICS_ENABLED=false: no /metrics, no figures kept', async () => {
  const off = await startProxy(null, { STORAGE_ENABLED: 'false', METRICS_ENABLED: 'false' })
  try {
    assert.equal(off.app.prometheus, null)
    assert.equal((await fetch(`${off.url}/metrics`)).status, 404)
    assert.equal((await fetch(`${off.url}/health/live`)).status, 200)
  } finally {
    await off.close()
  }
})
