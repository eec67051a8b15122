// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Usage } from '../anthropic-types.ts'
import { computeCost } from './cost.ts'
import { applyPriceOverrides, DEFAULT_PRICE_TABLE, parsePriceOverrides } from './price-table.ts'

const table = DEFAULT_PRICE_TABLE

function usage(parts: Partial<Usage>): Usage {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    ...parts,
  }
}

describe('computeCost per model family', () => {
  // 100,000 input + 10,000 output: input = 0.1 × input rate, output = 0.01 × output rate.
  const plain = usage({ input_tokens: 100_000, output_tokens: 10_000 })
  const cases: [string, number, number, number][] = [
    ['claude-opus-4-6', 0.5, 0.25, 0.75],
    ['claude-opus-4-5-20251101', 0.5, 0.25, 0.75],
    ['claude-opus-4-1-20250805', 1.5, 0.75, 2.25],
    ['claude-opus-4-20250514', 1.5, 0.75, 2.25],
    ['claude-sonnet-4-6', 0.3, 0.15, 0.45],
    ['claude-sonnet-4-5-20250929', 0.3, 0.15, 0.45],
    ['claude-sonnet-4-20250514', 0.3, 0.15, 0.45],
    ['claude-haiku-4-5-20251001', 0.1, 0.05, 0.15],
    ['claude-3-7-sonnet-20250219', 0.3, 0.15, 0.45],
    ['claude-3-5-sonnet-20241022', 0.3, 0.15, 0.45],
    ['claude-3-5-haiku-20241022', 0.08, 0.04, 0.12],
    ['claude-3-opus-20240229', 1.5, 0.75, 2.25],
    ['claude-3-haiku-20240307', 0.025, 0.0125, 0.0375],
    ['claude-opus-5', 0.5, 0.25, 0.75],
    ['claude-opus-5-5', 0.4, 0.2, 0.6],
    ['claude-sonnet-5-5', 0.2, 0.1, 0.3],
    // A prompt of exactly 100,000 is still Haiku 5.5's lower band.
    ['claude-haiku-5-5', 0.01, 0.005, 0.015],
    ['claude-fable-5-1', 1, 0.5, 1.5],
  ]
  for (const [model, inputUsd, outputUsd, totalUsd] of cases) {
    test(model, () => {
      const cost = computeCost(model, plain, table)
      assert.ok(cost)
      assert.equal(cost.inputUsd, inputUsd)
      assert.equal(cost.outputUsd, outputUsd)
      assert.equal(cost.totalUsd, totalUsd)
      assert.equal(cost.longContext, false)
    })
  }
})

describe('computeCost cache pricing', () => {
  test('5-minute and 1-hour writes at their own rates', () => {
    // Sonnet 4.5: 10,000 × $3.75 + 20,000 × $6 per MTok = 0.0375 + 0.12; input 10 × $3.
    const cost = computeCost(
      'claude-sonnet-4-5-20250929',
      usage({
        input_tokens: 10,
        cache_creation_input_tokens: 30_000,
        cache_creation: { ephemeral_5m_input_tokens: 10_000, ephemeral_1h_input_tokens: 20_000 },
      }),
      table,
    )
    assert.equal(cost?.cacheWriteUsd, 0.1575)
    assert.equal(cost?.inputUsd, 0.00003)
    assert.equal(cost?.totalUsd, 0.15753)
  })

  test('without the TTL split every write is 5-minute', () => {
    // 30,000 × $3.75 / MTok
    const cost = computeCost(
      'claude-sonnet-4-5',
      usage({ cache_creation_input_tokens: 30_000 }),
      table,
    )
    assert.equal(cost?.cacheWriteUsd, 0.1125)
  })

  test('a split short of the total prices the rest at the 5-minute rate', () => {
    // 20,000 × $6 + (30,000 − 20,000) × $3.75, per MTok
    const cost = computeCost(
      'claude-sonnet-4-5',
      usage({
        cache_creation_input_tokens: 30_000,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 20_000 },
      }),
      table,
    )
    assert.equal(cost?.cacheWriteUsd, 0.1575)
  })

  test('cache reads at the read rate', () => {
    // 150,000 × $0.50 (Opus 4.5) and × $0.03 (Haiku 3) per MTok
    const reads = usage({ cache_read_input_tokens: 150_000 })
    assert.equal(computeCost('claude-opus-4-5', reads, table)?.cacheReadUsd, 0.075)
    assert.equal(computeCost('claude-3-haiku-20240307', reads, table)?.cacheReadUsd, 0.0045)
  })
})

describe('computeCost long context', () => {
  test('Sonnet 4.5 past 200K prompt tokens bills every token at the long-context rates', () => {
    // prompt = 50,000 + 10,000 + 150,000 = 210,000 > 200,000
    // input 50,000 × $6 = 0.3; 1h write 10,000 × $12 = 0.12; read 150,000 × $0.60 = 0.09;
    // output 2,000 × $22.50 = 0.045 (per MTok); total 0.555
    const cost = computeCost(
      'claude-sonnet-4-5-20250929',
      usage({
        input_tokens: 50_000,
        output_tokens: 2_000,
        cache_creation_input_tokens: 10_000,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 10_000 },
        cache_read_input_tokens: 150_000,
      }),
      table,
    )
    assert.deepEqual(cost, {
      inputUsd: 0.3,
      outputUsd: 0.045,
      cacheWriteUsd: 0.12,
      cacheReadUsd: 0.09,
      webSearchUsd: 0,
      totalUsd: 0.555,
      totalNanoUsd: 555_000_000,
      longContext: true,
      pricingMode: 'standard',
    })
  })

  test('exactly at the threshold is still standard pricing', () => {
    // 50,000 × $3 + 150,000 × $0.30 + 2,000 × $15 = 0.15 + 0.045 + 0.03
    const cost = computeCost(
      'claude-sonnet-4-20250514',
      usage({ input_tokens: 50_000, output_tokens: 2_000, cache_read_input_tokens: 150_000 }),
      table,
    )
    assert.equal(cost?.longContext, false)
    assert.equal(cost?.totalUsd, 0.225)
  })

  test('Sonnet 4.6 has no long-context premium', () => {
    // 50,000 × $3 + 150,001 × $0.30 + 2,000 × $15 = 0.15 + 0.0450003 + 0.03
    const cost = computeCost(
      'claude-sonnet-4-6',
      usage({ input_tokens: 50_000, output_tokens: 2_000, cache_read_input_tokens: 150_001 }),
      table,
    )
    assert.equal(cost?.longContext, false)
    assert.equal(cost?.totalUsd, 0.2250003)
  })

  test('Haiku 5.5 switches band above 100K', () => {
    // 100,001 × $0.50 + 1,000 × $2.50 per MTok = 0.0500005 + 0.0025
    const cost = computeCost(
      'claude-haiku-5-5',
      usage({ input_tokens: 100_001, output_tokens: 1_000 }),
      table,
    )
    assert.equal(cost?.longContext, true)
    assert.equal(cost?.totalUsd, 0.0525005)
  })
})

describe('computeCost other cases', () => {
  test('web searches at $10 per 1,000', () => {
    // 1,000 × $3 + 500 × $15 per MTok + 3 × $0.01 = 0.003 + 0.0075 + 0.03
    const cost = computeCost(
      'claude-sonnet-4-5',
      usage({
        input_tokens: 1_000,
        output_tokens: 500,
        server_tool_use: { web_search_requests: 3 },
      }),
      table,
    )
    assert.equal(cost?.webSearchUsd, 0.03)
    assert.equal(cost?.totalUsd, 0.0405)
  })

  test('unknown model → null (unpriced), until an override adds it', () => {
    const u = usage({ input_tokens: 1_000, output_tokens: 1_000 })
    assert.equal(computeCost('claude-sonnet-9', u, table), null)
    assert.equal(computeCost('gpt-4o', u, table), null)
    const withNine = applyPriceOverrides(
      table,
      parsePriceOverrides({ models: { 'claude-sonnet-9': { input: 2, output: 8 } } }),
    )
    // 1,000 × $2 + 1,000 × $8 per MTok
    assert.equal(computeCost('claude-sonnet-9-20270101', u, withNine)?.totalUsd, 0.01)
  })

  test('an override replaces the default price', () => {
    const t = applyPriceOverrides(
      table,
      parsePriceOverrides({ models: { 'claude-sonnet-4-5': { input: 4, output: 20 } } }),
    )
    // 1,000 × $4 + 1,000 × $20 per MTok (was 0.018 at $3 / $15)
    const u = usage({ input_tokens: 1_000, output_tokens: 1_000 })
    assert.equal(computeCost('claude-sonnet-4-5-20250929', u, t)?.totalUsd, 0.024)
    assert.equal(computeCost('claude-sonnet-4-5-20250929', u, table)?.totalUsd, 0.018)
  })

  test('garbled counts read as zero', () => {
    const cost = computeCost(
      'claude-opus-4-5',
      { input_tokens: Number.NaN, output_tokens: -5 } as unknown as Usage,
      table,
    )
    assert.equal(cost?.totalUsd, 0)
  })
})

describe('a real Claude Code session', () => {
  // Ten turns shaped like a Claude Code log: Opus main loop writing 1-hour cache and reading
  // ~50K cached tokens a turn, Sonnet subagent turns, Haiku housekeeping calls.
  const s = (
    model: string,
    input: number,
    output: number,
    write5m: number,
    write1h: number,
    read: number,
    webSearches = 0,
  ) => ({
    model,
    usage: usage({
      input_tokens: input,
      output_tokens: output,
      cache_creation_input_tokens: write5m + write1h,
      cache_creation: { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h },
      cache_read_input_tokens: read,
      server_tool_use: { web_search_requests: webSearches },
    }),
  })
  const opus = 'claude-opus-4-5-20251101'
  const sonnet = 'claude-sonnet-4-5-20250929'
  const haiku = 'claude-haiku-4-5-20251001'
  const turns = [
    s(opus, 3, 412, 0, 2_310, 48_190),
    s(opus, 5, 1_208, 0, 1_102, 50_500),
    { model: haiku, usage: usage({ input_tokens: 1_240, output_tokens: 38 }) },
    s(opus, 2, 96, 0, 3_450, 51_602),
    s(sonnet, 8, 2_750, 12_040, 0, 31_870),
    {
      model: sonnet,
      usage: usage({
        input_tokens: 6,
        output_tokens: 640,
        cache_creation_input_tokens: 905,
        cache_read_input_tokens: 43_910,
      }),
    },
    { model: haiku, usage: usage({ input_tokens: 18_400, output_tokens: 210 }) },
    s(opus, 1, 3_980, 0, 6_115, 55_052),
    s(sonnet, 4, 305, 0, 1_720, 44_815, 2),
    s(opus, 3, 150, 0, 0, 61_167),
  ]

  /*
   * By hand, in micro-dollars (tokens × USD/MTok), published rates:
   * Opus 4.5 in 5 / out 25 / 1h 10 / read 0.5; Sonnet 4.5 in 3 / out 15 / 5m 3.75 / 1h 6 /
   * read 0.3; Haiku 4.5 in 1 / out 5; web search 10,000 µ$ each.
   *  1 opus    15 + 10,300 + 23,100 + 24,095           =  57,510
   *  2 opus    25 + 30,200 + 11,020 + 25,250           =  66,495
   *  3 haiku   1,240 + 190                             =   1,430
   *  4 opus    10 + 2,400 + 34,500 + 25,801            =  62,711
   *  5 sonnet  24 + 41,250 + 45,150 + 9,561            =  95,985
   *  6 sonnet  18 + 9,600 + 3,393.75 (5m) + 13,173     =  26,184.75
   *  7 haiku   18,400 + 1,050                          =  19,450
   *  8 opus    5 + 99,500 + 61,150 + 27,526            = 188,181
   *  9 sonnet  12 + 4,575 + 10,320 + 13,444.5 + 20,000 =  48,351.5
   * 10 opus    15 + 3,750 + 30,583.5                   =  34,348.5
   * total 600,646.75 µ$ = $0.60064675
   */
  test('total matches the hand computation within 1 %', () => {
    let nano = 0
    for (const t of turns) {
      const cost = computeCost(t.model, t.usage, table)
      assert.ok(cost, t.model)
      nano += cost.totalNanoUsd
    }
    const expected = 0.60064675
    const total = nano / 1e9
    assert.ok(Math.abs(total - expected) / expected < 0.01, `${total} vs ${expected}`)
    assert.equal(total, expected)
  })

  test('one turn in detail', () => {
    assert.deepEqual(computeCost(opus, turns[7]?.usage ?? usage({}), table), {
      inputUsd: 0.000005,
      outputUsd: 0.0995,
      cacheWriteUsd: 0.06115,
      cacheReadUsd: 0.027526,
      webSearchUsd: 0,
      totalUsd: 0.188181,
      totalNanoUsd: 188_181_000,
      longContext: false,
      pricingMode: 'standard',
    })
  })
})
