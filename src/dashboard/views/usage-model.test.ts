import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { RollupRow } from '../queries/rollup-queries.ts'
import { currentWindows } from './usage-model.ts'

const at = (hhmm: string) => new Date(`2026-11-20T${hhmm}:00Z`)

function row(account: string, hour: string, domain: string, requests: number, input: number) {
  const r: RollupRow = {
    account_id: account,
    at: at(hour),
    domain,
    requests,
    error_requests: 0,
    unpriced_requests: 0,
    input_tokens: input,
    output_tokens: 10 * requests,
    cache_creation_input_tokens: 0,
    cache_creation_5m_tokens: 0,
    cache_creation_1h_tokens: 0,
    cache_read_input_tokens: 0,
    web_search_requests: 0,
    cost_nano_usd: 1_000_000 * requests,
    first_at: new Date(at(hour).getTime() + 5 * 60_000),
    last_at: new Date(at(hour).getTime() + 50 * 60_000),
  }
  return r
}

describe('currentWindows', () => {
  it('chains blocks through the active hours and sums the current one from its rows', () => {
    const hours = [
      // acc_a: a block 03:00–08:00, then one from 09:00 (active at 12:30).
      ...['03:00', '06:00', '09:00', '11:00', '12:00'].map((h) => ({
        account_id: 'acc_a',
        at: at(h),
      })),
      // acc_b: its only block ended at 10:00.
      { account_id: 'acc_b', at: at('05:00') },
    ]
    const blockDomains = [
      row('acc_a', '09:00', 'x.test', 2, 100),
      row('acc_a', '11:00', 'y.test', 1, 50),
      row('acc_a', '12:00', 'x.test', 1, 25),
      row('acc_b', '08:00', 'z.test', 3, 999), // outside acc_b's (ended) block
    ]
    const windows = currentWindows({ hours, blockDomains, rateLimits: [], now: at('12:30') })

    assert.equal(windows.length, 1)
    const [w] = windows
    assert.equal(w?.accountId, 'acc_a')
    assert.deepEqual([w?.start, w?.end], [at('09:00'), at('14:00')])
    assert.deepEqual(w?.domains, ['x.test', 'y.test'])
    assert.equal(w?.sums.requests, 4)
    assert.equal(w?.sums.tokens.input, 175)
    assert.equal(w?.sums.tokens.output, 40)
    assert.equal(w?.sums.costUsd, 0.004)
    assert.equal(w?.source, 'usage_blocks')
    assert.equal(w?.elapsed, 0.7)
  })
})
