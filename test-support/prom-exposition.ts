// A strict reader of the Prometheus text format (0.0.4) for tests and benchmarks: it parses
// a scrape the way a scraper would and checks what a renderer could get wrong, so a broken
// renderer fails a test rather than a production scrape.

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Family {
  name: string
  help: string
  type: string
  samples: Sample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
}

/** Families in order; throws naming the line on anything a scraper would reject. */
export function parseExposition(text: string): Family[] {
  if (!text.endsWith('\n')) throw new Error('the scrape does not end with a newline')
  const families: Family[] = []
  const byName = new Map<string, Family>()
  const seen = new Set<string>()
  let help = new Map<string, string>()
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const at = (message: string) => new Error(`line ${i + 1}: ${message}: ${line}`)
      if (line === '') return
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line)
      if (comment) {
        const [, kind, name = '', rest = ''] = comment
        if (!NAME.test(name)) throw at('bad metric name')
        if (byName.has(name)) throw at('metric declared twice')
        if (kind === 'HELP') help.set(name, unescapeHelp(rest))
        else {
          if (!TYPES.has(rest)) throw at('unknown type')
          const family = { name, help: help.get(name) ?? '', type: rest, samples: [] }
          families.push(family)
          byName.set(name, family)
          help = new Map()
        }
        return
      }
      if (line.startsWith('#')) return
      const sample = parseSample(line, at)
      const family = families.at(-1)
      if (!family || !belongsTo(sample.name, family)) throw at('sample outside its metric')
      const key = `${sample.name}{${Object.entries(sample.labels).sort().join(';')}}`
      if (seen.has(key)) throw at('duplicate series')
      seen.add(key)
      family.samples.push(sample)
    })
  for (const family of families) checkFamily(family)
  return families
}

function belongsTo(name: string, family: Family): boolean {
  const suffixes = SUFFIXES[family.type] ?? ['']
  return suffixes.some((suffix) => name === family.name + suffix)
}

function parseSample(line: string, at: (m: string) => Error): Sample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0]
  if (name === undefined) throw at('bad sample name')
  let labels: Record<string, string> = {}
  let i = name.length
  if (line[i] === '{') [labels, i] = parseLabels(line, i + 1, at)
  if (line[i] !== ' ') throw at('no value after the name and labels')
  return { name, labels, value: parseValue(line.slice(i + 1), at) }
}

/** The labels from `start` (just past `{`), and the index just past the closing `}`. */
function parseLabels(
  line: string,
  start: number,
  at: (m: string) => Error,
): [Record<string, string>, number] {
  const labels: Record<string, string> = {}
  let i = start
  while (line[i] !== '}') {
    const eq = line.indexOf('="', i)
    const name = line.slice(i, eq)
    if (eq < 0 || !LABEL_NAME.test(name) || name in labels) throw at(`bad label ${name}`)
    let value = ''
    for (i = eq + 2; line[i] !== '"'; i++) {
      if (i >= line.length) throw at('unterminated label value')
      if (line[i] !== '\\') value += line[i]
      else {
        const escaped = { '\\': '\\', '"': '"', n: '\n' }[line[++i] ?? '']
        if (escaped === undefined) throw at('bad escape in a label value')
        value += escaped
      }
    }
    labels[name] = value
    i++
    if (line[i] === ',') i++
    else if (line[i] !== '}') throw at('labels not separated by a comma')
  }
  return [labels, i + 1]
}

function parseValue(text: string, at: (m: string) => Error): number {
  if (text === 'NaN' || text === 'Nan') return Number.NaN
  if (text === '+Inf') return Infinity
  if (text === '-Inf') return -Infinity
  if (!NUMBER.test(text)) throw at('bad value')
  return Number(text)
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'))
}

function checkFamily(family: Family) {
  const fail = (message: string) => new Error(`${family.name}: ${message}`)
  if (family.type === 'counter') {
    for (const s of family.samples) {
      if (!(s.value >= 0)) throw fail(`a counter at ${s.value}`)
    }
  }
  if (family.type === 'histogram') {
    for (const [key, series] of histogramSeries(family))
      checkHistogram(series, (m) => fail(`{${key}} ${m}`))
  }
}

interface HistogramSeries {
  buckets: Array<[number, number]>
  sum?: number
  count?: number
}

/** A histogram's series by their labels other than `le`. */
export function histogramSeries(family: Family): Map<string, HistogramSeries> {
  const series = new Map<string, HistogramSeries>()
  for (const s of family.samples) {
    const { le, ...rest } = s.labels
    const key = Object.entries(rest)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')
    const one = series.get(key) ?? { buckets: [] }
    series.set(key, one)
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${s.name}{${key}} without le`)
      one.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value])
    } else if (s.name.endsWith('_sum')) one.sum = s.value
    else one.count = s.value
  }
  return series
}

function checkHistogram(h: HistogramSeries, fail: (m: string) => Error) {
  if (h.sum === undefined || h.count === undefined) throw fail('no _sum or _count')
  let [bound, count] = [-Infinity, 0]
  for (const [le, n] of h.buckets) {
    if (!(le > bound)) throw fail(`bucket le=${le} out of order`)
    if (!(n >= count)) throw fail(`bucket le=${le} holds ${n} < ${count}: not cumulative`)
    ;[bound, count] = [le, n]
  }
  if (bound !== Infinity) throw fail('no +Inf bucket')
  if (count !== h.count) throw fail(`+Inf bucket ${count} but _count ${h.count}`)
}
