import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fetchAsHost, randomDomain } from '../../test-support/host-fetch.ts'
import { sseForMessage, textMessage } from '../../test-support/mock-anthropic.ts'
import { startProxy, waitForRow, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { randomId } from './usage-test-records.ts'

const DASHBOARD_KEY = 'dash-usage-accounting-key'
const CACHE_FIXTURE = new URL('../proxy/sse/fixtures/cache-usage.sse', import.meta.url)

describeEachDatabase('usage accounting through the proxy', ({ db }) => {
  let h: ProxyHarness
  before(async () => {
    h = await startProxy(db(), { DASHBOARD_API_KEY: DASHBOARD_KEY })
  })
  after(() => h.close())

  /** A domain with an API-key credential file, recorded under a fresh account. */
  async function apiKeyDomain() {
    const domain = randomDomain('usage')
    const accountId = randomId('acc')
    const file = { type: 'api_key', accountId, api_key: 'sk-ant-api03-upstream-usage-key' }
    await writeFile(join(h.credentialsDir, `${domain}.credentials.json`), JSON.stringify(file), {
      mode: 0o600,
    })
    return { domain, accountId }
  }

  async function send(domain: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetchAsHost(domain)(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': 'unused',
        ...headers,
      },
      body: JSON.stringify(body),
    })
    await res.arrayBuffer()
    const id = res.headers.get('x-request-id') ?? ''
    return { status: res.status, row: await waitForRow(db(), id), usage: await usageRow(id) }
  }

  async function usageRow(requestId: string) {
    return db()
      .kysely.selectFrom('token_usage')
      .select([
        'account_id',
        'model',
        'input_tokens',
        'output_tokens',
        'cache_creation_input_tokens',
        'cache_creation_5m_tokens',
        'cache_creation_1h_tokens',
        'cache_read_input_tokens',
        'cost_nano_usd',
      ])
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow()
  }

  const usageApi = async (path: string) => {
    const res = await fetch(`${h.url}${path}`, { headers: { 'x-dashboard-key': DASHBOARD_KEY } })
    assert.equal(res.status, 200, path)
    return (await res.json()) as Record<string, unknown>
  }

  const ask = (model: string, extra: Record<string, unknown> = {}) => ({
    model,
    max_tokens: 1000,
    messages: [{ role: 'user', content: 'Hello' }],
    ...extra,
  })

  test('5-minute and 1-hour cache writes are priced apart, cache reads at the read rate', async () => {
    const { domain, accountId } = await apiKeyDomain()
    const message = textMessage('claude-sonnet-4-5-20250929', 'Cached.', {
      input_tokens: 100,
      output_tokens: 200,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 10_000,
    })
    Object.assign(message.usage, {
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    })
    h.mock.handler = () => ({ kind: 'json', body: message })
    const { row, usage } = await send(domain, ask('claude-sonnet-4-5'))
    // Sonnet 4.5 per MTok: input $3, output $15, 5m write $3.75, 1h write $6, read $0.30.
    // 100×3 + 200×15 + 1000×3.75 + 2000×6 + 10000×0.3 = 300 + 3000 + 3750 + 12000 + 3000 µ$.
    assert.equal(row.cost_usd, 0.02205)
    assert.equal(row.cache_creation_5m_tokens, 1000)
    assert.equal(row.cache_creation_1h_tokens, 2000)
    assert.deepEqual(usage, {
      account_id: accountId,
      model: 'claude-sonnet-4-5',
      input_tokens: 100,
      output_tokens: 200,
      cache_creation_input_tokens: 3000,
      cache_creation_5m_tokens: 1000,
      cache_creation_1h_tokens: 2000,
      cache_read_input_tokens: 10_000,
      cost_nano_usd: 22_050_000,
    })
  })

  test("a stream's usage is counted once although message_delta repeats it", async () => {
    const { domain } = await apiKeyDomain()
    const stream = await readFile(CACHE_FIXTURE)
    h.mock.handler = () => ({ kind: 'sse', stream, splitAt: [50, 333, 700, 1200] })
    const { row, usage } = await send(domain, ask('claude-sonnet-4-5-20250929', { stream: true }))
    assert.equal(row.is_streaming, true)
    // message_start and message_delta both say input 4, writes 3210, reads 18044; adding
    // would double them. 4×3 + 57×15 + 1024×3.75 + 2186×6 + 18044×0.3 = 23.2362 m$.
    assert.deepEqual(
      [
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_creation_5m_tokens,
        usage.cache_creation_1h_tokens,
        usage.cache_read_input_tokens,
      ],
      [4, 57, 1024, 2186, 18_044],
    )
    assert.equal(row.cost_usd, 0.0232362)
    assert.equal(usage.cost_nano_usd, 23_236_200)
  })

  test("a sub-agent's requests are counted like any other", async () => {
    const { domain } = await apiKeyDomain()
    const prompt = 'Find every caller of parseDomain and list the files.'
    const main = textMessage('claude-opus-4-1-20250805', 'Delegating.', {
      input_tokens: 1000,
      output_tokens: 500,
    })
    main.content.push({
      type: 'tool_use',
      id: 'toolu_agent1',
      name: 'Agent',
      input: { description: 'find callers', prompt },
    })
    const sub = textMessage('claude-haiku-4-5-20251001', 'src/app.ts', {
      input_tokens: 2000,
      output_tokens: 300,
      cache_read_input_tokens: 5000,
    })
    h.mock.handler = (_req, body) =>
      (body as { stream?: boolean }).stream
        ? { kind: 'sse', stream: Buffer.from(sseForMessage(sub)) }
        : { kind: 'json', body: main }
    await send(domain, ask('claude-opus-4-1-20250805'))
    const subagent = await send(
      domain,
      ask('claude-haiku-4-5-20251001', {
        stream: true,
        messages: [{ role: 'user', content: prompt }],
      }),
      { 'x-claude-code-agent-id': 'agent-7' },
    )
    assert.equal(subagent.row.agent_id, 'agent-7')
    // The stream's message_start says output 1, its message_delta 300: 300 is the total.
    assert.equal(subagent.usage.output_tokens, 300)

    const stats = (await usageApi(`/token-stats?domain=${domain}`)) as {
      domains: {
        domain: string
        requests: number
        costUsd: number
        models: { model: string; requests: number; costUsd: number }[]
      }[]
    }
    // Opus 4.1: 1000×$15 + 500×$75 = 52.5 m$; Haiku 4.5: 2000×$1 + 300×$5 + 5000×$0.10 = 4 m$.
    assert.deepEqual(
      stats.domains.map((d) => ({
        domain: d.domain,
        requests: d.requests,
        costUsd: d.costUsd,
        models: d.models.map((m) => [m.model, m.requests, m.costUsd]),
      })),
      [
        {
          domain,
          requests: 2,
          costUsd: 0.0565,
          models: [
            ['claude-haiku-4-5-20251001', 1, 0.004],
            ['claude-opus-4-1-20250805', 1, 0.0525],
          ],
        },
      ],
    )
  })

  test('a pass-through client is recorded under a hash of its key, never the key', async () => {
    const domain = randomDomain('passthrough')
    const key = 'sk-ant-api03-passthrough-usage-test-key-0001'
    h.mock.handler = () => ({
      kind: 'json',
      body: textMessage('claude-haiku-4-5-20251001', 'Hi.', {
        input_tokens: 10,
        output_tokens: 10,
      }),
      headers: {
        'anthropic-ratelimit-unified-status': 'allowed',
        'anthropic-ratelimit-unified-5h-utilization': '0.25',
      },
    })
    const { usage } = await send(domain, ask('claude-haiku-4-5-20251001'), { 'x-api-key': key })
    assert.equal(usage.account_id, 'acct_426bff3f4eb63b51')
    assert.equal(usage.cost_nano_usd, 60_000)
    const hourly = await db()
      .kysely.selectFrom('token_usage_hourly')
      .selectAll()
      .where('domain', '=', domain)
      .execute()
    const limits = await db()
      .kysely.selectFrom('account_rate_limits')
      .selectAll()
      .where('domain', '=', domain)
      .execute()
    assert.deepEqual(
      hourly.map((r) => r.account_id),
      ['acct_426bff3f4eb63b51'],
    )
    assert.deepEqual(
      limits.map((r) => r.account_id),
      ['acct_426bff3f4eb63b51'],
    )
    const everything = JSON.stringify([usage, hourly, limits])
    assert.ok(!everything.includes(key) && !everything.includes('passthrough-usage-test-key'))
  })

  test('an unknown model is stored unpriced, never guessed', async () => {
    const { domain } = await apiKeyDomain()
    h.mock.handler = () => ({
      kind: 'json',
      body: textMessage('claude-nova-9', 'Hm.', { input_tokens: 10, output_tokens: 10 }),
    })
    const { row, usage } = await send(domain, ask('claude-nova-9'))
    assert.equal(row.cost_usd, null)
    assert.equal(usage.cost_nano_usd, null)
    const daily = (await usageApi(`/api/token-usage/daily?days=1&domain=${domain}`)) as {
      totals: { requests: number; unpricedRequests: number; costUsd: number }
    }
    assert.deepEqual(
      [daily.totals.requests, daily.totals.unpricedRequests, daily.totals.costUsd],
      [1, 1, 0],
    )
  })

  test('fast mode and US-only inference are billed at their multipliers and stored', async () => {
    const { domain } = await apiKeyDomain()
    const answer = (model: string, extra: Record<string, string>) => {
      const message = textMessage(model, 'Quick.', { input_tokens: 1000, output_tokens: 1000 })
      Object.assign(message.usage, extra)
      return message
    }
    h.mock.handler = () => ({
      kind: 'json',
      body: answer('claude-opus-4-6', { speed: 'fast', inference_geo: 'us' }),
    })
    const fast = await send(domain, ask('claude-opus-4-6', { speed: 'fast', inference_geo: 'us' }))
    // (1000 × $5 + 1000 × $25 per MTok) × 6 (fast) × 1.1 (US) = $0.198.
    assert.deepEqual([fast.row.cost_usd, fast.row.pricing_mode], [0.198, 'fast+us'])
    h.mock.handler = () => ({
      kind: 'json',
      body: answer('claude-opus-5-5', { speed: 'fast' }),
    })
    const unknown = await send(domain, ask('claude-opus-5-5', { speed: 'fast' }))
    assert.deepEqual([unknown.row.cost_usd, unknown.row.pricing_mode], [null, 'fast'])
    const daily = (await usageApi(`/api/token-usage/daily?days=1&domain=${domain}`)) as {
      totals: { requests: number; unpricedRequests: number; costUsd: number }
    }
    assert.deepEqual(
      [daily.totals.requests, daily.totals.unpricedRequests, daily.totals.costUsd],
      [2, 1, 0.198],
    )
  })

  test("upstream's unified rate-limit headers give the account's real window", async () => {
    const { domain, accountId } = await apiKeyDomain()
    h.mock.handler = () => ({
      kind: 'json',
      body: textMessage('claude-sonnet-4-5-20250929', 'Ok.', {
        input_tokens: 1000,
        output_tokens: 100,
      }),
      headers: {
        'anthropic-ratelimit-unified-status': 'allowed_warning',
        'anthropic-ratelimit-unified-reset': '4102444800',
        'anthropic-ratelimit-unified-representative-claim': 'five_hour',
        'anthropic-ratelimit-unified-5h-utilization': '0.82',
        'anthropic-ratelimit-unified-5h-reset': '4102444800',
      },
    })
    await send(domain, ask('claude-sonnet-4-5-20250929'))
    const current = (await usageApi(`/api/token-usage/current?accountId=${accountId}`)) as {
      accounts: {
        accountId: string
        window: unknown
        block: { requests: number; costUsd: number; domains: { domain: string }[] }
      }[]
    }
    assert.equal(current.accounts.length, 1)
    const account = current.accounts[0]!
    assert.equal(account.accountId, accountId)
    assert.deepEqual(account.window && { ...(account.window as object), observedAt: undefined }, {
      source: 'rate_limit_headers',
      status: 'allowed_warning',
      resetAt: '2100-01-01T00:00:00.000Z',
      utilization: 0.82,
      representativeClaim: 'five_hour',
      windowName: '5h',
      observedAt: undefined,
    })
    // 1000 × $3 + 100 × $15 per MTok.
    assert.deepEqual(
      [account.block.requests, account.block.costUsd, account.block.domains.map((d) => d.domain)],
      [1, 0.0045, [domain]],
    )
  })
})
