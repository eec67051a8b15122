// Formatting for the benchmark's table. Figures stay numbers in the JSON; only here do they
// become text.

export interface Target {
  name: string
  /** Where it was measured, e.g. "json / PGlite". */
  where: string
  value: number | null
  limit: number
  /** `min`: the value must be at least the limit; `max`: at most. */
  kind: 'min' | 'max'
  unit: string
  /** Why there is no value, when there is none. */
  note?: string
}

export function verdict(t: Pick<Target, 'value' | 'limit' | 'kind'>): 'PASS' | 'MISS' {
  if (t.value === null || !Number.isFinite(t.value)) return 'MISS'
  return (t.kind === 'min' ? t.value >= t.limit : t.value <= t.limit) ? 'PASS' : 'MISS'
}

export function num(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
}

/** A plain text table; columns are right-aligned unless `left` lists them (the first always is). */
export function table(header: string[], rows: string[][], left: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
