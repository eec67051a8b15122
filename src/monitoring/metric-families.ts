import { header, labelPairs, linePrefix, valueText } from './prom-text.ts'

/**
 * Counters, histograms and scrape-time values kept by us rather than by prom-client, and
 * written straight to the text format: with domain labels a process has over 10,000 series,
 * and prom-client's `get()` rebuilds a labels object per series on every scrape. Here each
 * series keeps its `name{labels} ` text from its first use, so a scrape writes numbers.
 * The output is what prom-client writes for the same metrics (metric-families.test.ts
 * compares them), so names, label order, HELP and TYPE lines are unchanged.
 */
export interface MetricFamily {
  /** Appends the family's HELP and TYPE lines and one line per sample. */
  render(lines: string[]): void | Promise<void>
}

// Label values joined into one map key. Values come from our label functions and the Host
// header, neither of which can hold a NUL.
const SEP = '\u0000'

/** One series of a counter; a caller on a hot path may keep it rather than look it up. */
export class CounterSeries {
  value = 0
  constructor(readonly prefix: string) {}
}

export class CounterFamily implements MetricFamily {
  readonly #series = new Map<string, CounterSeries>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {
    // Like prom-client: a counter without labels shows 0 before its first increment.
    if (labelNames.length === 0) this.series([])
  }

  /** The series for these label values (in `labelNames` order), made on first use. */
  series(values: readonly string[]): CounterSeries {
    const key = values.join(SEP)
    let s = this.#series.get(key)
    if (s === undefined) {
      s = new CounterSeries(linePrefix(this.name, labelPairs(this.labelNames, values)))
      this.#series.set(key, s)
    }
    return s
  }

  inc(values: readonly string[], by = 1): void {
    this.series(values).value += by
  }

  render(lines: string[]): void {
    lines.push(...header(this.name, this.help, 'counter'))
    for (const s of this.#series.values()) lines.push(s.prefix + valueText(s.value))
  }
}

/** One series of a histogram: per-bucket counts (not cumulative), sum and count. */
export class HistogramSeries {
  readonly counts: number[]
  sum = 0
  count = 0
  constructor(
    readonly bounds: readonly number[],
    /** Prefixes of the bucket lines (`+Inf` last), then `_sum`, then `_count`. */
    readonly prefixes: readonly string[],
  ) {
    this.counts = bounds.map(() => 0)
  }

  observe(value: number): void {
    const i = this.bounds.findIndex((bound) => value <= bound)
    if (i >= 0) this.counts[i]! += 1
    this.sum += value
    this.count += 1
  }

  render(lines: string[]): void {
    const p = this.prefixes
    let acc = 0
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]!
      lines.push(p[i] + valueText(acc))
    }
    const n = this.counts.length
    lines.push(p[n] + valueText(this.count), p[n + 1] + valueText(this.sum))
    lines.push(p[n + 2] + valueText(this.count))
  }
}

export class HistogramFamily implements MetricFamily {
  readonly #series = new Map<string, HistogramSeries>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
    readonly labelNames: readonly string[] = [],
  ) {
    if (labelNames.length === 0) this.series([])
  }

  series(values: readonly string[]): HistogramSeries {
    const key = values.join(SEP)
    let s = this.#series.get(key)
    if (s === undefined) {
      s = new HistogramSeries(this.bounds, this.#prefixes(labelPairs(this.labelNames, values)))
      this.#series.set(key, s)
    }
    return s
  }

  observe(values: readonly string[], value: number): void {
    this.series(values).observe(value)
  }

  render(lines: string[]): void {
    lines.push(...header(this.name, this.help, 'histogram'))
    for (const s of this.#series.values()) s.render(lines)
  }

  // prom-client's order: `le` first, then the series' labels.
  #prefixes(pairs: string): string[] {
    const le = [...this.bounds.map(valueText), '+Inf']
    const bucket = `${this.name}_bucket`
    return [
      ...le.map((bound) => linePrefix(bucket, [`le="${bound}"`, pairs].filter(Boolean).join(','))),
      linePrefix(`${this.name}_sum`, pairs),
      linePrefix(`${this.name}_count`, pairs),
    ]
  }
}

/** A gauge, or a total kept elsewhere, read when scraped: one unlabelled sample. */
export class ScrapedValue implements MetricFamily {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    readonly read: () => number | Promise<number>,
  ) {}

  async render(lines: string[]): Promise<void> {
    const value = await this.read()
    lines.push(...header(this.name, this.help, this.type), `${this.name} ${valueText(value)}`)
  }
}

// Lines per chunk of a scrape: a chunk stays well under V8's 128 KiB large-object size, so it
// is allocated in the young generation. One string of a whole scrape (over 1 MB with domain
// labels) costs more to allocate (fresh pages) than rendering every line of it.
const CHUNK_LINES = 400

/**
 * The families' text, each followed by a blank line as prom-client's registry has it, as
 * chunks of whole lines to be written one after the other.
 */
export async function renderFamilies(families: readonly MetricFamily[]): Promise<string[]> {
  const lines: string[] = []
  for (const family of families) {
    await family.render(lines)
    lines.push('')
  }
  const chunks: string[] = []
  for (let i = 0; i < lines.length; i += CHUNK_LINES) {
    chunks.push(`${lines.slice(i, i + CHUNK_LINES).join('\n')}\n`)
  }
  return chunks
}
