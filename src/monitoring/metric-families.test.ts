import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { CounterFamily, HistogramFamily, renderFamilies, ScrapedValue } from './metric-families.ts'

const HELP = 'a "help"\nline \\'

test('our families write exactly what prom-client writes for the same figures', async () => {
  const registers = [new Registry()]
  const theirs = {
    c: new Counter({ name: 'c_total', help: HELP, labelNames: ['a', 'b'], registers }),
    plain: new Counter({ name: 'plain_total', help: 'p', registers }),
    h: new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['m'],
      buckets: [0.1, 1],
      registers,
    }),
    w: new Histogram({ name: 'w_seconds', help: 'w', buckets: [0.005, 2.5], registers }),
  }
  new Gauge({
    name: 'in_flight',
    help: 'g',
    registers,
    collect() {
      this.set(-1.5)
    },
  })
  const ours = {
    c: new CounterFamily('c_total', HELP, ['a', 'b']),
    plain: new CounterFamily('plain_total', 'p'),
    h: new HistogramFamily('h_seconds', 'h', [0.1, 1], ['m']),
    w: new HistogramFamily('w_seconds', 'w', [0.005, 2.5]),
  }
  const families = [...Object.values(ours), new ScrapedValue('in_flight', 'g', 'gauge', () => -1.5)]
  // Ours end in a blank line, as prom-client's default metrics follow them.
  const promClient = async () => `${await registers[0]!.metrics()}\n`
  const both = {
    inc: (a: string, b: string, by: number) => {
      theirs.c.inc({ a, b }, by)
      ours.c.inc([a, b], by)
    },
    observe: (m: string, v: number) => {
      theirs.h.observe({ m }, v)
      ours.h.observe([m], v)
    },
  }
  // Before any figure: unlabelled metrics show zeros, labelled ones only their header.
  assert.equal((await renderFamilies(families)).join(''), await promClient())
  both.inc('x"y', 'back\\slash\nnew', 2)
  both.inc('plain', '', 0.1)
  both.inc('plain', '', 0.2)
  for (const v of [0.05, 0.1, 5, 0.5, 1, 50]) both.observe(v > 1 ? 'slow' : 'fast', v)
  theirs.plain.inc()
  ours.plain.inc([])
  theirs.w.observe(3)
  ours.w.observe([], 3)
  // Enough series for several chunks, each of them whole lines.
  for (let i = 0; i < 1000; i++) both.inc(`s${i}`, 'many', i)
  const chunks = await renderFamilies(families)
  assert.ok(chunks.length > 2, String(chunks.length))
  for (const chunk of chunks) assert.ok(chunk.endsWith('\n'))
  const expected = await promClient()
  assert.equal(chunks.join(''), expected)
  assert.match(expected, /^c_total\{a="plain",b=""\} 0.30000000000000004$/m)
  assert.match(expected, /^c_total\{a="x\\"y",b="back\\\\slash\\nnew"\} 2$/m)
  assert.match(expected, /^h_seconds_bucket\{le="0.1",m="fast"\} 2$/m)
})

test('a value read at scrape: NaN, infinities, and a promise', async () => {
  const lag = new ScrapedValue('lag_seconds', 'l', 'gauge', () => Promise.resolve(Number.NaN))
  const inf = new ScrapedValue('inf', 'i', 'gauge', () => -Infinity)
  const total = new ScrapedValue('stored_total', 's', 'counter', () => 7)
  assert.equal(
    (await renderFamilies([lag, inf, total])).join(''),
    [
      '# HELP lag_seconds l',
      '# TYPE lag_seconds gauge',
      'lag_seconds NaN',
      '',
      '# HELP inf i',
      '# TYPE inf gauge',
      'inf -Inf',
      '',
      '# HELP stored_total s',
      '# TYPE stored_total counter',
      'stored_total 7',
      '',
      '',
    ].join('\n'),
  )
})
