import { z } from 'zod'
import { ConfigError } from '../config.ts'
import { canonicalModelKey } from './model-id.ts'

/** Rates in USD per million tokens, as Anthropic publishes them. */
export interface TokenRates {
  input: number
  output: number
  cacheWrite5m: number
  cacheWrite1h: number
  cacheRead: number
}

export interface LongContextRates extends TokenRates {
  /** Above this many prompt tokens (input + cache writes + cache reads) every token of the
   *  request, output included, is billed at these rates instead. */
  thresholdTokens: number
}

export interface ModelPrice extends TokenRates {
  longContext: LongContextRates | null
  /** Fast mode (`usage.speed: "fast"`) bills every token at this multiple of the rates
   *  above; null when the model has no published fast price (such a request is unpriced). */
  fastMultiplier: number | null
}

export interface PriceTable {
  /** Keyed by canonical model key (`sonnet-4-5`) or, for ids no scheme covers, the
   *  lower-cased id itself. */
  models: Readonly<Record<string, ModelPrice>>
  webSearchUsdPer1k: number
  /** Message Batches results are billed at this multiple of every token rate. */
  batchMultiplier: number
  /** By `usage.inference_geo` (`us`): data-residency multiples of every token rate. */
  inferenceGeoMultipliers: Readonly<Record<string, number>>
}

const rates = (
  input: number,
  cacheWrite5m: number,
  cacheWrite1h: number,
  cacheRead: number,
  output: number,
): TokenRates => ({ input, output, cacheWrite5m, cacheWrite1h, cacheRead })

const flat = (r: TokenRates, fastMultiplier: number | null = null): ModelPrice => ({
  ...r,
  longContext: null,
  fastMultiplier,
})

const OPUS_LEGACY = flat(rates(15, 18.75, 30, 1.5, 75))
const OPUS_4_5_RATES = rates(5, 6.25, 10, 0.5, 25)
const OPUS_4_5 = flat(OPUS_4_5_RATES)
const SONNET = flat(rates(3, 3.75, 6, 0.3, 15))
// Sonnet 4 and 4.5 only reach 1M tokens through the `context-1m` beta, which bills the
// whole request at these rates once the prompt passes 200K.
const SONNET_1M_BETA: ModelPrice = {
  ...SONNET,
  longContext: { ...rates(6, 7.5, 12, 0.6, 22.5), thresholdTokens: 200_000 },
}
const FABLE_5 = flat(rates(10, 12.5, 20, 1, 50))
const FABLE_5_1 = flat(rates(10, 12.5, 20, 0.25, 50))
// Released 2026-11-09 at $8 / $40, cache read $0.20, 5-minute write $10.
const FABLE_5_2 = flat(rates(8, 10, 16, 0.2, 40))

/**
 * Anthropic's list prices, checked 2026-11-25 against platform.claude.com/docs/en/about-claude/pricing
 * (model table, long-context table, web search: $10 per 1,000) and the per-model overview
 * pages for the 5.x models. Two later changes come from release notes that quote the live
 * pricing page: Sonnet 5.5 cache reads $0.20 → $0.10 (2026-10-07) and Haiku 5.5's two bands.
 * Fable 5.2 / Mythos 5.2 (2026-11-09) checked 2026-12-05.
 *
 * Multipliers (docs/usage-api.md#pricing-modes): Message Batches 50% of every token rate;
 * US-only inference (`inference_geo: "us"`) 1.1×; fast mode per model — Opus 4.6 and 4.7
 * 6×, Opus 4.8 and Opus 5 2×. Fast mode on Opus 5.5 and Fable/Mythos 5.2 has no
 * multiplier we could confirm, so such requests stay unpriced until PRICING_FILE gives one.
 * Bedrock/Vertex regional surcharges are not modelled. Prices are not dated: a change here
 * re-prices history computed after it.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  webSearchUsdPer1k: 10,
  batchMultiplier: 0.5,
  inferenceGeoMultipliers: { us: 1.1 },
  models: {
    'fable-5-2': FABLE_5_2,
    'mythos-5-2': FABLE_5_2,
    'fable-5-1': FABLE_5_1,
    'mythos-5-1': FABLE_5_1,
    'fable-5': FABLE_5,
    'mythos-5': FABLE_5,
    'opus-5-5': flat(rates(4, 5, 8, 0.2, 20)),
    'opus-5': flat(OPUS_4_5_RATES, 2),
    'opus-4-8': flat(OPUS_4_5_RATES, 2),
    'opus-4-7': flat(OPUS_4_5_RATES, 6),
    'opus-4-6': flat(OPUS_4_5_RATES, 6),
    'opus-4-5': OPUS_4_5,
    'opus-4-1': OPUS_LEGACY,
    'opus-4': OPUS_LEGACY,
    'opus-3': OPUS_LEGACY,
    'sonnet-5-5': flat(rates(2, 2.5, 4, 0.1, 10)),
    'sonnet-5': flat(rates(2, 2.5, 4, 0.2, 10)),
    'sonnet-4-6': SONNET,
    'sonnet-4-5': SONNET_1M_BETA,
    'sonnet-4': SONNET_1M_BETA,
    'sonnet-3-7': SONNET,
    'sonnet-3-5': SONNET,
    'sonnet-3': SONNET,
    'haiku-5-5': {
      ...rates(0.1, 0.125, 0.2, 0.01, 0.5),
      longContext: { ...rates(0.5, 0.625, 1, 0.05, 2.5), thresholdTokens: 100_000 },
      fastMultiplier: null,
    },
    'haiku-4-5': flat(rates(1, 1.25, 2, 0.1, 5)),
    'haiku-3-5': flat(rates(0.8, 1, 1.6, 0.08, 4)),
    'haiku-3': flat(rates(0.25, 0.3, 0.5, 0.03, 1.25)),
  },
}

/** The price for a model id, or null when the table has none (the caller reports it unpriced). */
export function findModelPrice(modelId: string, table: PriceTable): ModelPrice | null {
  const key = canonicalModelKey(modelId)
  return (
    own(table.models, modelId.trim().toLowerCase()) ??
    (key === null ? null : own(table.models, key))
  )
}

// Model ids come from clients; `constructor` must not find Object.prototype's.
function own(models: PriceTable['models'], key: string): ModelPrice | null {
  return Object.hasOwn(models, key) ? (models[key] ?? null) : null
}

export interface PriceOverrides {
  models: Record<string, ModelPrice>
  webSearchUsdPer1k: number | null
  batchMultiplier: number | null
  inferenceGeoMultipliers: Record<string, number>
}

/**
 * A new table: each override replaces that model's whole price (or adds the model), except
 * that an override without a fast multiplier keeps the built-in one: a file that corrects a
 * token rate should not silently stop pricing fast mode.
 */
export function applyPriceOverrides(table: PriceTable, overrides: PriceOverrides): PriceTable {
  const models = Object.fromEntries(
    Object.entries(overrides.models).map(([key, price]) => [
      key,
      {
        ...price,
        fastMultiplier: price.fastMultiplier ?? own(table.models, key)?.fastMultiplier ?? null,
      },
    ]),
  )
  return {
    models: { ...table.models, ...models },
    webSearchUsdPer1k: overrides.webSearchUsdPer1k ?? table.webSearchUsdPer1k,
    batchMultiplier: overrides.batchMultiplier ?? table.batchMultiplier,
    inferenceGeoMultipliers: {
      ...table.inferenceGeoMultipliers,
      ...overrides.inferenceGeoMultipliers,
    },
  }
}

// Three decimals keep one token a whole number of nano-dollars (see money.ts).
const usdPerMillion = z
  .number()
  .nonnegative()
  .max(10_000)
  .refine((v) => Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6, {
    message: 'at most three decimals (USD per million tokens)',
  })

const ratesSchema = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  cacheWrite5m: usdPerMillion.optional(),
  cacheWrite1h: usdPerMillion.optional(),
  cacheRead: usdPerMillion.optional(),
})

const multiplier = z.number().positive().max(100)

const modelSchema = ratesSchema.extend({
  longContext: ratesSchema
    .extend({ thresholdTokens: z.number().int().positive() })
    .nullable()
    .optional(),
  fastMultiplier: multiplier.optional(),
})

const overridesSchema = z.strictObject({
  models: z.record(z.string().trim().min(1), modelSchema).default({}),
  webSearchUsdPer1k: usdPerMillion.optional(),
  batchMultiplier: multiplier.optional(),
  inferenceGeoMultipliers: z.record(z.string().trim().min(1), multiplier).default({}),
})

/**
 * Validates an already-read price file, e.g.
 * `{"models":{"claude-sonnet-9":{"input":3,"output":15,"fastMultiplier":2}},"webSearchUsdPer1k":10,
 * "batchMultiplier":0.5,"inferenceGeoMultipliers":{"us":1.1}}`.
 * Keys may be any spelling of a model id; omitted cache rates follow Anthropic's published
 * multipliers of the input rate (5-minute write 1.25×, 1-hour write 2×, read 0.1×).
 */
export function parsePriceOverrides(json: unknown): PriceOverrides {
  const parsed = overridesSchema.safeParse(json)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new ConfigError(`Invalid price overrides:\n${lines.join('\n')}`)
  }
  // fromEntries defines own properties, so even a `__proto__` key stays plain data.
  const models = Object.fromEntries(
    Object.entries(parsed.data.models).map(([id, entry]) => [
      canonicalModelKey(id) ?? id.toLowerCase(),
      toModelPrice(entry),
    ]),
  )
  return {
    models,
    webSearchUsdPer1k: parsed.data.webSearchUsdPer1k ?? null,
    batchMultiplier: parsed.data.batchMultiplier ?? null,
    inferenceGeoMultipliers: Object.fromEntries(
      Object.entries(parsed.data.inferenceGeoMultipliers).map(([geo, m]) => [geo.toLowerCase(), m]),
    ),
  }
}

/** The default table with a price file (already read and JSON-parsed) applied, if any. */
export function loadPriceTable(json: unknown): PriceTable {
  if (json === undefined || json === null) return DEFAULT_PRICE_TABLE
  return applyPriceOverrides(DEFAULT_PRICE_TABLE, parsePriceOverrides(json))
}

function toModelPrice(entry: z.infer<typeof modelSchema>): ModelPrice {
  const lc = entry.longContext
  return {
    ...withDerivedCacheRates(entry),
    longContext: lc ? { ...withDerivedCacheRates(lc), thresholdTokens: lc.thresholdTokens } : null,
    fastMultiplier: entry.fastMultiplier ?? null,
  }
}

type PartialRates = z.infer<typeof ratesSchema>

function withDerivedCacheRates(r: PartialRates): TokenRates {
  return {
    input: r.input,
    output: r.output,
    cacheWrite5m: r.cacheWrite5m ?? toThousandths(r.input * 1.25),
    cacheWrite1h: r.cacheWrite1h ?? toThousandths(r.input * 2),
    cacheRead: r.cacheRead ?? toThousandths(r.input * 0.1),
  }
}

// $3 × 0.1 is 0.30000000000000004 in floating point; rates are kept to $0.001 / MTok.
function toThousandths(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1000) / 1000
}
