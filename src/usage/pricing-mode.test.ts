import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Usage } from '../anthropic-types.ts'
import { computeCost } from './cost.ts'
import { DEFAULT_PRICE_TABLE, loadPriceTable } from './price-table.ts'
import { pricingModeOf } from './pricing-mode.ts'

// 1M input + 100K output: $5 + $2.50 = $7.50 at Opus 4.6 list price.
const usage = (extra: Partial<Usage> = {}): Usage => ({
  input_tokens: 1_000_000,
  output_tokens: 100_000,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  ...extra,
})

const total = (model: string, u: Usage, batch = false, table = DEFAULT_PRICE_TABLE) =>
  computeCost(model, u, table, { batch })?.totalUsd ?? null

describe('pricingModeOf', () => {
  const cases: [Partial<Usage>, boolean, string][] = [
    [{}, false, 'standard'],
    [{ speed: 'standard', inference_geo: 'global' }, false, 'standard'],
    [{ speed: 'fast' }, false, 'fast'],
    [{ inference_geo: 'us' }, false, 'us'],
    [{ speed: 'fast', inference_geo: 'US' }, false, 'fast+us'],
    [{ inference_geo: 'us' }, true, 'batch+us'],
    [{ service_tier: 'batch' }, false, 'batch'],
    [{ inference_geo: '<script>' }, false, 'other'],
  ]
  for (const [u, batch, expected] of cases) {
    test(`${JSON.stringify(u)} batch=${batch} → ${expected}`, () =>
      assert.equal(pricingModeOf(u, batch), expected))
  }
})

describe('multipliers on list rates', () => {
  test('fast mode: 6× on Opus 4.6 and 4.7, 2× on Opus 4.8 and Opus 5', () => {
    assert.equal(total('claude-opus-4-6', usage({ speed: 'fast' })), 45)
    assert.equal(total('claude-opus-4-7', usage({ speed: 'fast' })), 45)
    assert.equal(total('claude-opus-4-8', usage({ speed: 'fast' })), 15)
    assert.equal(total('claude-opus-5', usage({ speed: 'fast' })), 15)
  })

  test('fast mode on a model without a known multiplier is unpriced, not list price', () => {
    assert.equal(total('claude-opus-5-5', usage({ speed: 'fast' })), null)
    assert.equal(total('claude-opus-5-5', usage()), 6)
  })

  test('US-only inference is 1.1×, global is list price', () => {
    assert.equal(total('claude-opus-4-6', usage({ inference_geo: 'us' })), 8.25)
    assert.equal(total('claude-opus-4-6', usage({ inference_geo: 'global' })), 7.5)
  })

  test('batch is half of every token rate, cache reads included; multipliers stack', () => {
    const cached = usage({ cache_read_input_tokens: 1_000_000 })
    // $5 + $2.50 + $0.50 of reads = $8 → $4.
    assert.equal(total('claude-opus-4-6', cached, true), 4)
    assert.equal(total('claude-opus-4-6', usage({ inference_geo: 'us' }), true), 4.125)
  })

  test('a geography the table does not know is unpriced', () => {
    assert.equal(total('claude-opus-4-6', usage({ inference_geo: 'eu' })), null)
  })

  test('Fable 5.2 and Mythos 5.2 (November 2026) are priced: $8 / $40', () => {
    assert.equal(total('claude-fable-5-2', usage()), 12)
    assert.equal(total('claude-mythos-5-2', usage()), 12)
  })
})

describe('PRICING_FILE multipliers', () => {
  test('a fast multiplier, batch and geo multipliers can be set', () => {
    const table = loadPriceTable({
      models: { 'claude-opus-5-5': { input: 4, output: 20, fastMultiplier: 2.5 } },
      batchMultiplier: 0.4,
      inferenceGeoMultipliers: { EU: 1.2 },
    })
    assert.equal(total('claude-opus-5-5', usage({ speed: 'fast' }), false, table), 15)
    assert.equal(total('claude-opus-4-6', usage(), true, table), 3)
    assert.equal(total('claude-opus-4-6', usage({ inference_geo: 'eu' }), false, table), 9)
    assert.equal(total('claude-opus-4-6', usage({ inference_geo: 'us' }), false, table), 8.25)
  })

  test('an override without a fast multiplier keeps the built-in one', () => {
    const table = loadPriceTable({ models: { 'claude-opus-4-6': { input: 6, output: 30 } } })
    // ($6 + $3) × 6
    assert.equal(total('claude-opus-4-6', usage({ speed: 'fast' }), false, table), 54)
  })

  test('multipliers must be positive numbers', () => {
    assert.throws(() => loadPriceTable({ batchMultiplier: 0 }), /batchMultiplier/)
    assert.throws(
      () => loadPriceTable({ models: { x: { input: 1, output: 1, fastMultiplier: -1 } } }),
      /fastMultiplier/,
    )
  })
})
