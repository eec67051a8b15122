import type { RollupRow } from '../queries/rollup-queries.ts'

/** What charts.js draws with uPlot: x in Unix seconds, one array of values per series. */
export interface ChartSpec {
  title: string
  kind: 'line' | 'bars'
  unit: 'tokens' | 'usd' | 'count'
  x: number[]
  series: Array<{ label: string; values: number[] }>
}

const MAX_SERIES = 8

/**
 * Buckets rollup rows into a fixed time axis, one series per group (the largest
 * MAX_SERIES - 1 groups by total, the rest summed as "other"), zeros where nothing happened.
 */
export function chartFromRows(input: {
  title: string
  kind: ChartSpec['kind']
  unit: ChartSpec['unit']
  rows: readonly RollupRow[]
  from: Date
  to: Date
  stepMs: number
  group: (row: RollupRow) => string
  value: (row: RollupRow) => number
}): ChartSpec {
  const start = Math.floor(input.from.getTime() / input.stepMs) * input.stepMs
  const x: number[] = []
  for (let t = start; t <= input.to.getTime(); t += input.stepMs) x.push(t / 1000)
  const totals = new Map<string, number>()
  for (const r of input.rows)
    totals.set(input.group(r), (totals.get(input.group(r)) ?? 0) + input.value(r))
  const ranked = [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k]) => k)
  const keep = new Set(ranked.length > MAX_SERIES ? ranked.slice(0, MAX_SERIES - 1) : ranked)
  const labels = [...keep]
  if (ranked.length > keep.size) labels.push('other')
  const values = new Map(labels.map((l) => [l, x.map(() => 0)]))
  for (const r of input.rows) {
    if (!r.at) continue
    const i = Math.floor((r.at.getTime() - start) / input.stepMs)
    if (i < 0 || i >= x.length) continue
    const label = keep.has(input.group(r)) ? input.group(r) : 'other'
    const list = values.get(label)
    if (list) list[i] = (list[i] ?? 0) + input.value(r)
  }
  return {
    title: input.title,
    kind: input.kind,
    unit: input.unit,
    x,
    series: labels.map((label) => ({
      label: label === '' ? '(unknown)' : label,
      values: values.get(label) ?? [],
    })),
  }
}

export const totalTokens = (r: RollupRow) =>
  Number(r.input_tokens) +
  Number(r.output_tokens) +
  Number(r.cache_creation_input_tokens) +
  Number(r.cache_read_input_tokens)
