import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import Anthropic from '@anthropic-ai/sdk'
import { fetchAsHost, randomDomain } from '../../test-support/host-fetch.ts'
import { textMessage, type MockHandler } from '../../test-support/mock-anthropic.ts'
import { startProxy, waitForRow, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { randomId } from './usage-test-records.ts'

const DASHBOARD_KEY = 'dash-batch-usage-key'

/** A results file as the Message Batches API serves it: one JSON object per line. */
function resultsFile(customIds = ['req-1', 'req-2', 'req-3', 'req-4']): string {
  const sonnet = textMessage('claude-sonnet-4-5-20250929', 'First.', {
    input_tokens: 1000,
    output_tokens: 2000,
  })
  const opus = textMessage('claude-opus-4-6', 'Second.', {
    input_tokens: 100,
    output_tokens: 100,
    cache_read_input_tokens: 1000,
  })
  for (const m of [sonnet, opus]) Object.assign(m.usage, { service_tier: 'batch' })
  const lines = [
    { custom_id: customIds[0], result: { type: 'succeeded', message: sonnet } },
    {
      custom_id: customIds[1],
      result: {
        type: 'errored',
        error: {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'max_tokens: field required' },
        },
      },
    },
    { custom_id: customIds[2], result: { type: 'expired' } },
    { custom_id: customIds[3], result: { type: 'succeeded', message: opus } },
  ]
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n'
}

describeEachDatabase('Message Batches results are counted as batch usage', ({ db }) => {
  let h: ProxyHarness
  before(async () => {
    h = await startProxy(db(), { DASHBOARD_API_KEY: DASHBOARD_KEY })
  })
  after(() => h.close())

  async function batchDomain() {
    const domain = randomDomain('batch')
    const file = { type: 'api_key', accountId: randomId('acc'), api_key: 'sk-ant-api03-batch' }
    await writeFile(join(h.credentialsDir, `${domain}.credentials.json`), JSON.stringify(file), {
      mode: 0o600,
    })
    return domain
  }

  function serveBatch(batchId: string, customIds?: string[]): MockHandler {
    const jsonl = resultsFile(customIds)
    return (req) => {
      const path = req.url.split('?')[0]
      if (path === `/v1/messages/batches/${batchId}/results`) {
        return { kind: 'raw', contentType: 'application/binary', body: jsonl }
      }
      if (path !== `/v1/messages/batches/${batchId}`) return undefined
      return {
        kind: 'json',
        body: {
          id: batchId,
          type: 'message_batch',
          processing_status: 'ended',
          request_counts: { processing: 0, succeeded: 2, errored: 1, canceled: 0, expired: 1 },
          created_at: '2026-12-04T10:00:00Z',
          ended_at: '2026-12-04T11:00:00Z',
          expires_at: '2026-12-05T10:00:00Z',
          archived_at: null,
          cancel_initiated_at: null,
          // Absolute, on upstream's own origin, as Anthropic answers: the proxy makes it
          // relative so the SDK downloads through the proxy rather than around it.
          results_url: `${h.mock.url}/v1/messages/batches/${batchId}/results`,
        },
      }
    }
  }

  async function downloadResults(domain: string, batchId: string) {
    const viaHost = fetchAsHost(domain)
    let downloadId = ''
    // The SDK hides the results response; its x-request-id names the stored download.
    const recording: typeof fetch = async (input, init) => {
      const res = await viaHost(input, init)
      if (new Request(input).url.endsWith('/results'))
        downloadId = res.headers.get('x-request-id') ?? ''
      return res
    }
    const client = new Anthropic({
      apiKey: 'sk-ant-client-unused',
      baseURL: h.url,
      fetch: recording,
      maxRetries: 0,
    })
    const customIds: string[] = []
    for await (const item of await client.messages.batches.results(batchId))
      customIds.push(item.custom_id)
    await waitForRow(db(), downloadId)
    return customIds
  }

  async function batchUsage(domain: string) {
    return db()
      .kysely.selectFrom('token_usage')
      .select(['model', 'input_tokens', 'output_tokens', 'cache_read_input_tokens'])
      .select(['cost_nano_usd', 'pricing_mode'])
      .where('domain', '=', domain)
      .where('request_type', '=', 'batch')
      .orderBy('model')
      .execute()
  }

  async function dailyTotals(domain: string) {
    const res = await fetch(`${h.url}/api/token-usage/daily?days=1&domain=${domain}`, {
      headers: { 'x-dashboard-key': DASHBOARD_KEY },
    })
    const body = (await res.json()) as {
      totals: { costUsd: number; unpricedRequests: number; tokens: { input: number } }
    }
    return body.totals
  }

  test('the SDK downloads every result; succeeded ones are counted at the batch rate', async () => {
    const domain = await batchDomain()
    const batchId = `msgbatch_${randomId('b')}`
    h.mock.handler = serveBatch(batchId)
    const customIds = await downloadResults(domain, batchId)
    assert.deepEqual(customIds, ['req-1', 'req-2', 'req-3', 'req-4'])
    // Half of list price. Sonnet 4.5: 1000 × $3 + 2000 × $15 per MTok = 33,000 µ$ → 16,500.
    // Opus 4.6: 100 × $5 + 100 × $25 + 1000 reads × $0.50 = 3,500 µ$ → 1,750.
    assert.deepEqual(await batchUsage(domain), [
      {
        model: 'claude-opus-4-6',
        input_tokens: 100,
        output_tokens: 100,
        cache_read_input_tokens: 1000,
        cost_nano_usd: 1_750_000,
        pricing_mode: 'batch',
      },
      {
        model: 'claude-sonnet-4-5-20250929',
        input_tokens: 1000,
        output_tokens: 2000,
        cache_read_input_tokens: 0,
        cost_nano_usd: 16_500_000,
        pricing_mode: 'batch',
      },
    ])
    const totals = await dailyTotals(domain)
    assert.deepEqual([totals.costUsd, totals.tokens.input], [0.01825, 1100])
  })

  test("the batch's results_url leads back through the proxy", async () => {
    const domain = await batchDomain()
    const batchId = `msgbatch_${randomId('b')}`
    h.mock.handler = serveBatch(batchId)
    const res = await fetchAsHost(domain)(`${h.url}/v1/messages/batches/${batchId}`, {
      headers: { 'x-api-key': 'unused', 'accept-encoding': 'gzip' },
    })
    const batch = (await res.json()) as { id: string; results_url: string }
    assert.deepEqual(
      [batch.id, batch.results_url],
      [batchId, `/v1/messages/batches/${batchId}/results`],
    )
  })

  test('downloading the same results again counts nothing twice', async () => {
    const domain = await batchDomain()
    const batchId = `msgbatch_${randomId('b')}`
    h.mock.handler = serveBatch(batchId)
    await downloadResults(domain, batchId)
    await downloadResults(domain, batchId)
    await Promise.all([downloadResults(domain, batchId), downloadResults(domain, batchId)])
    assert.equal((await batchUsage(domain)).length, 2)
    const totals = await dailyTotals(domain)
    assert.deepEqual([totals.costUsd, totals.tokens.input], [0.01825, 1100])
    const counted = await db()
      .kysely.selectFrom('batch_result_usage')
      .select('custom_id')
      .where('batch_id', '=', batchId)
      .orderBy('custom_id')
      .execute()
    assert.deepEqual(
      counted.map((r) => r.custom_id),
      ['req-1', 'req-4'],
    )
  })

  test('a secret inside a custom_id is masked where it is kept, and both results still count', async () => {
    const domain = await batchDomain()
    const batchId = `msgbatch_${randomId('b')}`
    const secretA = 'sk-ant-api03-' + 'A'.repeat(40)
    const secretB = 'sk-ant-api03-' + 'B'.repeat(40)
    h.mock.handler = serveBatch(batchId, [`user-${secretA}`, 'req-2', 'req-3', `user-${secretB}`])
    await downloadResults(domain, batchId)
    await downloadResults(domain, batchId)
    assert.equal((await batchUsage(domain)).length, 2)
    const kept = await db()
      .kysely.selectFrom('batch_result_usage')
      .select('custom_id')
      .where('batch_id', '=', batchId)
      .execute()
    assert.equal(kept.length, 2)
    for (const { custom_id } of kept) {
      assert.ok(!custom_id.includes('AAAAAAAAAA') && !custom_id.includes('BBBBBBBBBB'), custom_id)
      assert.match(custom_id, /^user-.*#[0-9a-f]{12}$/)
    }
  })
})
