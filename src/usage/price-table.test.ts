// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigError } from '../config.ts'
import { canonicalModelKey } from './model-id.ts'
import {
  applyPriceOverrides,
  DEFAULT_PRICE_TABLE,
  findModelPrice,
  loadPriceTable,
  parsePriceOverrides,
} from './price-table.ts'

describe('canonicalModelKey', () => {
  const cases: [string, string | null][] = [
    ['claude-sonnet-4-5-20250929', 'sonnet-4-5'],
    ['claude-sonnet-4-5', 'sonnet-4-5'],
    ['claude-sonnet-4-20250514', 'sonnet-4'],
    ['claude-sonnet-4-0', 'sonnet-4'],
    ['claude-opus-4-1-20250805', 'opus-4-1'],
    ['claude-opus-4-5-20251101', 'opus-4-5'],
    ['claude-haiku-4-5-20251001', 'haiku-4-5'],
    ['claude-opus-5', 'opus-5'],
    ['claude-sonnet-5-5', 'sonnet-5-5'],
    ['claude-3-7-sonnet-20250219', 'sonnet-3-7'],
    ['claude-3-5-sonnet-latest', 'sonnet-3-5'],
    ['claude-3-5-haiku-20241022', 'haiku-3-5'],
    ['claude-3-opus-20240229', 'opus-3'],
    ['claude-3-haiku-20240307', 'haiku-3'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'sonnet-4-5'],
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'haiku-3-5'],
    ['claude-sonnet-4-5@20250929', 'sonnet-4-5'],
    ['claude-3-5-sonnet-v2@20241022', 'sonnet-3-5'],
    ['Claude-Opus-4-6', 'opus-4-6'],
    ['claude-sonnet-4-5-20250929[1m]', 'sonnet-4-5'],
    ['gpt-4o', null],
    ['claude-2.1', null],
  ]
  for (const [id, expected] of cases) {
    test(`${id} → ${expected}`, () => assert.equal(canonicalModelKey(id), expected))
  }
})

describe('findModelPrice: published rates per family (USD / MTok)', () => {
  // [model, input, 5m write, 1h write, cache read, output]
  const cases: [string, number, number, number, number, number][] = [
    ['claude-opus-4-6', 5, 6.25, 10, 0.5, 25],
    ['claude-opus-4-5-20251101', 5, 6.25, 10, 0.5, 25],
    ['claude-opus-4-1-20250805', 15, 18.75, 30, 1.5, 75],
    ['claude-opus-4-20250514', 15, 18.75, 30, 1.5, 75],
    ['claude-sonnet-4-6', 3, 3.75, 6, 0.3, 15],
    ['claude-sonnet-4-5-20250929', 3, 3.75, 6, 0.3, 15],
    ['claude-sonnet-4-20250514', 3, 3.75, 6, 0.3, 15],
    ['claude-haiku-4-5-20251001', 1, 1.25, 2, 0.1, 5],
    ['claude-3-7-sonnet-20250219', 3, 3.75, 6, 0.3, 15],
    ['claude-3-5-sonnet-20241022', 3, 3.75, 6, 0.3, 15],
    ['claude-3-5-haiku-20241022', 0.8, 1, 1.6, 0.08, 4],
    ['claude-3-opus-20240229', 15, 18.75, 30, 1.5, 75],
    ['claude-3-haiku-20240307', 0.25, 0.3, 0.5, 0.03, 1.25],
    ['claude-opus-5', 5, 6.25, 10, 0.5, 25],
    ['claude-opus-5-5', 4, 5, 8, 0.2, 20],
    ['claude-sonnet-5', 2, 2.5, 4, 0.2, 10],
    ['claude-sonnet-5-5', 2, 2.5, 4, 0.1, 10],
    ['claude-haiku-5-5', 0.1, 0.125, 0.2, 0.01, 0.5],
    ['claude-fable-5-1', 10, 12.5, 20, 0.25, 50],
  ]
  for (const [model, input, w5m, w1h, read, output] of cases) {
    test(model, () => {
      const p = findModelPrice(model, DEFAULT_PRICE_TABLE)
      assert.ok(p)
      assert.deepEqual(
        [p.input, p.cacheWrite5m, p.cacheWrite1h, p.cacheRead, p.output],
        [input, w5m, w1h, read, output],
      )
    })
  }

  test('long-context rates exist only where Anthropic charges them', () => {
    const sonnet45 = findModelPrice('claude-sonnet-4-5', DEFAULT_PRICE_TABLE)
    assert.deepEqual(sonnet45?.longContext, {
      input: 6,
      output: 22.5,
      cacheWrite5m: 7.5,
      cacheWrite1h: 12,
      cacheRead: 0.6,
      thresholdTokens: 200_000,
    })
    assert.equal(findModelPrice('claude-sonnet-4-6', DEFAULT_PRICE_TABLE)?.longContext, null)
    assert.equal(findModelPrice('claude-opus-4-6', DEFAULT_PRICE_TABLE)?.longContext, null)
    assert.equal(
      findModelPrice('claude-haiku-5-5', DEFAULT_PRICE_TABLE)?.longContext?.thresholdTokens,
      100_000,
    )
  })

  test('unknown models have no price', () => {
    assert.equal(findModelPrice('gpt-4o', DEFAULT_PRICE_TABLE), null)
    assert.equal(findModelPrice('constructor', DEFAULT_PRICE_TABLE), null)
    assert.equal(findModelPrice('__proto__', DEFAULT_PRICE_TABLE), null)
    assert.equal(findModelPrice('claude-sonnet-9', DEFAULT_PRICE_TABLE), null)
    assert.equal(findModelPrice('', DEFAULT_PRICE_TABLE), null)
  })

  test('web search is $10 per 1,000', () => {
    assert.equal(DEFAULT_PRICE_TABLE.webSearchUsdPer1k, 10)
  })
})

describe('parsePriceOverrides', () => {
  test('replaces a model, adds new ones by any id spelling, derives missing cache rates', () => {
    const overrides = parsePriceOverrides({
      models: {
        'claude-sonnet-4-5-20250929': { input: 4, output: 20 },
        'claude-sonnet-9': { input: 2, output: 8, cacheRead: 0.15 },
        'My-Finetune': { input: 1, output: 2, cacheWrite1h: 3 },
      },
      webSearchUsdPer1k: 12,
    })
    const table = applyPriceOverrides(DEFAULT_PRICE_TABLE, overrides)

    assert.deepEqual(findModelPrice('claude-sonnet-4-5', table), {
      input: 4,
      output: 20,
      cacheWrite5m: 5,
      cacheWrite1h: 8,
      cacheRead: 0.4,
      longContext: null,
      fastMultiplier: null,
    })
    assert.deepEqual(findModelPrice('claude-sonnet-9-20270101', table), {
      input: 2,
      output: 8,
      cacheWrite5m: 2.5,
      cacheWrite1h: 4,
      cacheRead: 0.15,
      longContext: null,
      fastMultiplier: null,
    })
    assert.deepEqual(findModelPrice('my-finetune', table), {
      input: 1,
      output: 2,
      cacheWrite5m: 1.25,
      cacheWrite1h: 3,
      cacheRead: 0.1,
      longContext: null,
      fastMultiplier: null,
    })
    assert.equal(table.webSearchUsdPer1k, 12)
    // Untouched models and the default table itself stay as they were.
    assert.equal(findModelPrice('claude-opus-4-5', table)?.input, 5)
    assert.equal(findModelPrice('claude-sonnet-4-5', DEFAULT_PRICE_TABLE)?.input, 3)
  })

  test('accepts long-context rates and an empty file', () => {
    const overrides = parsePriceOverrides({
      models: {
        'claude-opus-9': {
          input: 5,
          output: 25,
          longContext: { input: 10, output: 37.5, thresholdTokens: 200_000 },
        },
      },
    })
    assert.deepEqual(overrides.models['opus-9']?.longContext, {
      input: 10,
      output: 37.5,
      cacheWrite5m: 12.5,
      cacheWrite1h: 20,
      cacheRead: 1,
      thresholdTokens: 200_000,
    })
    assert.deepEqual(parsePriceOverrides({}), {
      models: {},
      webSearchUsdPer1k: null,
      batchMultiplier: null,
      inferenceGeoMultipliers: {},
    })
  })

  test('loadPriceTable: defaults without a file, overrides with one', () => {
    assert.equal(loadPriceTable(undefined), DEFAULT_PRICE_TABLE)
    const table = loadPriceTable(
      JSON.parse(
        '{"models":{"__proto__":{"input":1,"output":2},"claude-x-1":{"input":1,"output":3}}}',
      ),
    )
    assert.equal(findModelPrice('claude-x-1', table)?.output, 3)
    assert.equal(findModelPrice('claude-opus-4-5', table)?.output, 25)
    // A `__proto__` key can neither price anything nor reach the prototype.
    assert.equal(findModelPrice('__proto__', table), null)
    assert.equal(Object.getPrototypeOf(table.models), Object.prototype)
  })

  test('rejects bad files with a message naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [{ models: { x: { input: -1, output: 2 } } }, /models\.x\.input/],
      [{ models: { x: { input: 0.0001, output: 2 } } }, /three decimals/],
      [{ models: { x: { input: 1 } } }, /models\.x\.output/],
      [{ models: { x: { input: 1, output: 2, cacheWrite: 3 } } }, /models\.x/],
      [{ model: {} }, /\(root\)/],
      ['not an object', /\(root\)/],
    ]
    for (const [json, message] of bad) {
      assert.throws(
        () => parsePriceOverrides(json),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError)
          assert.match(err.message, message)
          return true
        },
      )
    }
  })
})
