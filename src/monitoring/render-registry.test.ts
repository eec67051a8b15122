import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { renderRegistry } from './render-registry.ts'

test('the fast renderer writes exactly what prom-client writes', async () => {
  const registry = new Registry()
  const registers = [registry]
  const c = new Counter({
    name: 'c_total',
    help: 'a "help"\nline \\',
    labelNames: ['a', 'b'],
    registers,
  })
  c.inc({ a: 'x"y', b: 'back\\slash\nnew' }, 2)
  c.inc({ a: 'plain', b: '' })
  new Counter({ name: 'empty_total', help: 'nothing yet', registers })
  const g = new Gauge({ name: 'g', help: 'g', registers })
  g.set(-1.5)
  const h = new Histogram({
    name: 'h_seconds',
    help: 'h',
    labelNames: ['m'],
    buckets: [0.1, 1],
    registers,
  })
  h.observe({ m: 'a' }, 0.05)
  h.observe({ m: 'a' }, 5)
  h.observe({ m: 'b' }, 0.5)
  const inf = new Gauge({ name: 'inf', help: 'i', registers })
  inf.set(Infinity)
  // One labels object behind two metrics, as prom-client's default metrics have it.
  const same = { space: 'old' }
  new Gauge({ name: 'first', help: 'f', labelNames: ['space'], registers }).set(same, 1)
  new Gauge({ name: 'second', help: 's', labelNames: ['space'], registers }).set(same, 2)
  const expected = await registry.metrics()
  assert.equal(await renderRegistry(registry), expected)
  // Second scrape: label texts now come from the cache; values moved on.
  c.inc({ a: 'plain', b: '' })
  c.inc({ a: 'new', b: 'series' })
  h.observe({ m: 'b' }, 0.5)
  h.observe({ m: 'c' }, 0.01)
  assert.equal(await renderRegistry(registry), await registry.metrics())
  assert.match(expected, /^second\{space="old"\} 2$/m)
  assert.match(expected, /^c_total\{a="x\\"y",b="back\\\\slash\\nnew"\} 2$/m)
})
