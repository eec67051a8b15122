import type { Usage } from '../anthropic-types.ts'
import { nanoToUsd, usdToNano } from './money.ts'
import { bucketKey, bucketKeys, type Granularity } from './time-buckets.ts'
import { addUsageInto, emptyTotals, type TokenTotals } from './token-totals.ts'

export interface SeriesEntry {
  at: Date
  domain: string
  model: string
  usage: Usage
  /** From computeCost; null when the model was unpriced. */
  costUsd: number | null
}

export interface SeriesPoint {
  bucket: string
  tokens: TokenTotals
  costUsd: number
  requests: number
  unpricedRequests: number
}

export interface SeriesOptions {
  from: Date
  to: Date
  granularity: Granularity
  /** IANA name; UTC when omitted. */
  timeZone?: string
}

export interface GroupSeries {
  group: string
  points: SeriesPoint[]
}

/** One point per bucket in [from, to], empty buckets as zeros; entries outside are ignored. */
export function buildSeries(
  entries: readonly SeriesEntry[],
  options: SeriesOptions,
): SeriesPoint[] {
  const keys = rangeKeys(options)
  const acc = accumulators(keys)
  for (const entry of entries) addEntry(acc, entry, options)
  return keys.map((k) => finish(k, acc.get(k)))
}

/**
 * The same series split by domain or model, groups in name order. Every group has every
 * bucket, so the lists line up for stacked charts.
 */
export function buildGroupedSeries(
  entries: readonly SeriesEntry[],
  options: SeriesOptions & { by: 'domain' | 'model' },
): GroupSeries[] {
  const keys = rangeKeys(options)
  const groups = new Map<string, Map<string, Accumulator>>()
  for (const entry of entries) {
    const name = entry[options.by]
    let acc = groups.get(name)
    if (!acc) groups.set(name, (acc = accumulators(keys)))
    addEntry(acc, entry, options)
  }
  return [...groups.entries()]
    .filter(([, acc]) => [...acc.values()].some((a) => a.requests > 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, acc]) => ({ group, points: keys.map((k) => finish(k, acc.get(k))) }))
}

interface Accumulator {
  tokens: TokenTotals
  costNano: number
  requests: number
  unpricedRequests: number
}

function rangeKeys(o: SeriesOptions): string[] {
  return bucketKeys(o.from, o.to, o.granularity, o.timeZone)
}

function accumulators(keys: readonly string[]): Map<string, Accumulator> {
  return new Map(
    keys.map((k) => [k, { tokens: emptyTotals(), costNano: 0, requests: 0, unpricedRequests: 0 }]),
  )
}

function addEntry(acc: Map<string, Accumulator>, entry: SeriesEntry, o: SeriesOptions): void {
  const t = entry.at.getTime()
  if (t < o.from.getTime() || t > o.to.getTime()) return
  const a = acc.get(bucketKey(entry.at, o.granularity, o.timeZone))
  if (!a) return
  addUsageInto(a.tokens, entry.usage)
  a.requests++
  if (entry.costUsd === null) a.unpricedRequests++
  else a.costNano += usdToNano(entry.costUsd)
}

function finish(bucket: string, a: Accumulator | undefined): SeriesPoint {
  return {
    bucket,
    tokens: a ? { ...a.tokens } : emptyTotals(),
    costUsd: nanoToUsd(a?.costNano ?? 0),
    requests: a?.requests ?? 0,
    unpricedRequests: a?.unpricedRequests ?? 0,
  }
}
