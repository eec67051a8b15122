import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import { ensureTokenUsagePartitions, monthPartition } from './token-usage-partitions-store.ts'
import { randomId, usageRecord } from './usage-test-records.ts'

describeEachDatabase('token usage ledger', ({ db }) => {
  const rollup = (domain: string) =>
    db()
      .kysely.selectFrom('token_usage_hourly')
      .select([
        'hour',
        'account_id',
        'model',
        'requests',
        'error_requests',
        'unpriced_requests',
        'input_tokens',
        'output_tokens',
        'cache_creation_5m_tokens',
        'cache_creation_1h_tokens',
        'cache_read_input_tokens',
        'cost_nano_usd',
        'first_at',
        'last_at',
      ])
      .where('domain', '=', domain)
      .orderBy('hour')
      .orderBy('model')
      .execute()

  test('a record is counted once, however often it is written', async () => {
    const domain = `${randomId('d')}.test`
    const record = usageRecord({
      domain,
      accountId: 'acc_once',
      inputTokens: 10,
      outputTokens: 20,
      costUsd: 0.00033,
    })
    await insertRequestRecords(db(), [record, record])
    await insertRequestRecords(db(), [record])
    const ledger = await db()
      .kysely.selectFrom('token_usage')
      .select(['input_tokens', 'cost_nano_usd'])
      .where('domain', '=', domain)
      .execute()
    assert.deepEqual(ledger, [{ input_tokens: 10, cost_nano_usd: 330_000 }])
    const hours = await rollup(domain)
    assert.equal(hours.length, 1)
    assert.equal(hours[0]?.requests, 1)
    assert.equal(hours[0]?.input_tokens, 10)
  })

  test('the rollup sums per UTC hour, account and model', async () => {
    const domain = `${randomId('d')}.test`
    const base = { domain, accountId: 'acc_a' }
    await insertRequestRecords(db(), [
      usageRecord({
        ...base,
        timestamp: '2026-11-25T10:05:00.000Z',
        inputTokens: 100,
        outputTokens: 10,
        cacheCreationInputTokens: 300,
        cacheCreation5mTokens: 100,
        cacheCreation1hTokens: 200,
        costUsd: 0.0021,
      }),
      usageRecord({
        ...base,
        timestamp: '2026-11-25T10:55:00.000Z',
        inputTokens: 50,
        cacheReadInputTokens: 1000,
        costUsd: 0.00045,
      }),
      usageRecord({
        ...base,
        timestamp: '2026-11-25T11:00:00.000Z',
        statusCode: 529,
        error: 'Overloaded',
        errorType: 'overloaded_error',
      }),
      usageRecord({
        domain,
        accountId: null,
        model: 'mystery-model',
        timestamp: '2026-11-25T11:30:00.000Z',
        inputTokens: 5,
        costUsd: null,
      }),
    ])
    const hours = await rollup(domain)
    assert.deepEqual(hours, [
      {
        hour: new Date('2026-11-25T10:00:00Z'),
        account_id: 'acc_a',
        model: 'claude-sonnet-4-5-20250929',
        requests: 2,
        error_requests: 0,
        unpriced_requests: 0,
        input_tokens: 150,
        output_tokens: 10,
        cache_creation_5m_tokens: 100,
        cache_creation_1h_tokens: 200,
        cache_read_input_tokens: 1000,
        cost_nano_usd: 2_550_000,
        first_at: new Date('2026-11-25T10:05:00Z'),
        last_at: new Date('2026-11-25T10:55:00Z'),
      },
      {
        hour: new Date('2026-11-25T11:00:00Z'),
        account_id: 'acc_a',
        model: 'claude-sonnet-4-5-20250929',
        requests: 1,
        error_requests: 1,
        unpriced_requests: 0,
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_5m_tokens: 0,
        cache_creation_1h_tokens: 0,
        cache_read_input_tokens: 0,
        cost_nano_usd: 0,
        first_at: new Date('2026-11-25T11:00:00Z'),
        last_at: new Date('2026-11-25T11:00:00Z'),
      },
      {
        hour: new Date('2026-11-25T11:00:00Z'),
        account_id: '',
        model: 'mystery-model',
        requests: 1,
        error_requests: 0,
        unpriced_requests: 1,
        input_tokens: 5,
        output_tokens: 0,
        cache_creation_5m_tokens: 0,
        cache_creation_1h_tokens: 0,
        cache_read_input_tokens: 0,
        cost_nano_usd: 0,
        first_at: new Date('2026-11-25T11:30:00Z'),
        last_at: new Date('2026-11-25T11:30:00Z'),
      },
    ])
  })

  test('the newest rate-limit headers are kept per account, never an older set', async () => {
    const domain = `${randomId('d')}.test`
    const accountId = randomId('acc')
    const at = (timestamp: string, utilization: string) =>
      usageRecord({
        domain,
        accountId,
        timestamp,
        responseHeaders: {
          'request-id': 'req_1',
          'content-type': 'application/json',
          'retry-after': '3',
          'anthropic-ratelimit-unified-status': 'allowed',
          'anthropic-ratelimit-unified-5h-utilization': utilization,
        },
      })
    const stored = async () =>
      await db()
        .kysely.selectFrom('account_rate_limits')
        .select(['observed_at', 'headers'])
        .where('account_id', '=', accountId)
        .execute()
    await insertRequestRecords(db(), [
      at('2026-11-25T10:00:00.000Z', '0.1'),
      at('2026-11-25T10:05:00.000Z', '0.2'),
    ])
    assert.deepEqual(await stored(), [
      {
        observed_at: new Date('2026-11-25T10:05:00Z'),
        headers: {
          'retry-after': '3',
          'anthropic-ratelimit-unified-status': 'allowed',
          'anthropic-ratelimit-unified-5h-utilization': '0.2',
        },
      },
    ])
    await insertRequestRecords(db(), [at('2026-11-25T09:00:00.000Z', '0.9')])
    assert.equal((await stored())[0]?.observed_at.toISOString(), '2026-11-25T10:05:00.000Z')
    await insertRequestRecords(db(), [at('2026-11-25T11:00:00.000Z', '0.3')])
    assert.equal((await stored())[0]?.observed_at.toISOString(), '2026-11-25T11:00:00.000Z')
  })

  test('records without rate-limit headers leave no rate-limit row', async () => {
    const accountId = randomId('acc')
    await insertRequestRecords(db(), [
      usageRecord({ domain: 'x.test', accountId, responseHeaders: { 'request-id': 'r' } }),
    ])
    const rows = await db()
      .kysely.selectFrom('account_rate_limits')
      .selectAll()
      .where('account_id', '=', accountId)
      .execute()
    assert.deepEqual(rows, [])
  })

  test('monthly partitions are created ahead, taking over rows from the default partition', async () => {
    const domain = `${randomId('d')}.test`
    const record = usageRecord({ domain, timestamp: '2031-03-10T12:00:00.000Z', inputTokens: 7 })
    await insertRequestRecords(db(), [record])
    const home = async () =>
      (
        await sql<{
          part: string
        }>`select tableoid::regclass::text as part from token_usage where request_id = ${record.requestId}`.execute(
          db().kysely,
        )
      ).rows
    assert.deepEqual(await home(), [{ part: 'token_usage_default' }])

    assert.deepEqual(await ensureTokenUsagePartitions(db(), new Date('2031-03-15T00:00:00Z')), [
      'token_usage_y2031m03',
      'token_usage_y2031m04',
    ])
    assert.deepEqual(await home(), [{ part: 'token_usage_y2031m03' }])
    assert.deepEqual(await ensureTokenUsagePartitions(db(), new Date('2031-03-31T23:00:00Z')), [])
    await insertRequestRecords(db(), [
      usageRecord({ domain, timestamp: '2031-04-01T00:00:00.000Z' }),
    ])
    const parts = await sql<{
      part: string
      n: number
    }>`select tableoid::regclass::text as part, count(*)::int as n
      from token_usage where domain = ${domain} group by 1 order by 1`.execute(db().kysely)
    assert.deepEqual(parts.rows, [
      { part: 'token_usage_y2031m03', n: 1 },
      { part: 'token_usage_y2031m04', n: 1 },
    ])
  })
})

test('month partitions roll over the year', () => {
  assert.deepEqual(monthPartition(new Date('2026-12-31T23:59:59.999Z')), {
    name: 'token_usage_y2026m12',
    from: new Date('2026-12-01T00:00:00Z'),
    to: new Date('2027-01-01T00:00:00Z'),
  })
})
