import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_PRICE_TABLE } from './price-table.ts'
import { requestCost } from './request-cost.ts'

const cost = (model: string | null, usage: Parameters<typeof requestCost>[1]) =>
  requestCost(model, usage, DEFAULT_PRICE_TABLE)

test('splits cache writes by TTL and prices each at its rate', () => {
  // Haiku 4.5 per MTok: 5m write $1.25, 1h write $2, read $0.10, input $1, output $5.
  assert.deepEqual(
    cost('claude-haiku-4-5-20251001', {
      input_tokens: 10,
      output_tokens: 20,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      cache_read_input_tokens: 4000,
    }),
    // 10 + 100 + 1250 + 4000 + 400 µ$
    {
      costUsd: 0.00576,
      cacheCreation5mTokens: 1000,
      cacheCreation1hTokens: 2000,
      webSearchRequests: 0,
      pricingMode: 'standard',
    },
  )
})

test('counts web searches at $10 per thousand', () => {
  assert.deepEqual(
    cost('claude-sonnet-4-5', {
      input_tokens: 1000,
      output_tokens: 0,
      server_tool_use: { web_search_requests: 2 },
    }),
    {
      costUsd: 0.023,
      cacheCreation5mTokens: 0,
      cacheCreation1hTokens: 0,
      webSearchRequests: 2,
      pricingMode: 'standard',
    },
  )
})

test('a request that used nothing costs nothing, whatever its model', () => {
  assert.equal(cost('some-unknown-model', null).costUsd, 0)
  assert.equal(cost(null, { input_tokens: 0, output_tokens: 0 }).costUsd, 0)
})

test('tokens under an unknown or missing model are unpriced', () => {
  assert.equal(cost('claude-nova-9', { input_tokens: 5, output_tokens: 5 }).costUsd, null)
  assert.equal(cost(null, { input_tokens: 5, output_tokens: 5 }).costUsd, null)
})
