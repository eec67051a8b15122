// `node bin/run-ts.js bench/metrics.ts`: what Prometheus metrics cost (docs/operations.md).
//
//   1. scrape: rendering GET /metrics (CPU and wall time) with ≥ 10,000 series
//      (METRICS_DOMAIN_LABELS=true and 2,000 domains), as the route renders it (chunks), and the
//      whole scrape over HTTP on loopback: the server's CPU, with the scraper in a child
//      process. The scrape is first checked with the strict text-format reader the tests use.
//   2. per request: CPU of NexusMetrics.observeRequest over realistic records, without and with
//      domain labels, i.e. what metrics add to a request whose record is built anyway (storage
//      on, the default).
//   3. end to end: CPU per request of an in-process proxy (storage off) with METRICS_ENABLED
//      true and false, client and mock in the same process. With storage off the record is
//      built only for the metrics, so the difference includes building it.
//
//   [--scrapes=50] [--observations=200000] [--requests=3000] [--rounds=3]
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent, request } from 'undici'
import { getRequestListener } from '@hono/node-server'
import { createApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { demoRecord } from '../src/dashboard/demo/demo-records.ts'
import { silentLog } from '../src/log.ts'
import { metricsRoute } from '../src/monitoring/metrics-route.ts'
import { NexusMetrics } from '../src/monitoring/nexus-metrics.ts'
import type { WriterStats } from '../src/storage/storage-writer.ts'
import { DEFAULT_PRICE_TABLE } from '../src/usage/price-table.ts'
import { MockAnthropic } from '../test-support/mock-anthropic.ts'
import { parseExposition } from '../test-support/prom-exposition.ts'
import { num, table, verdict } from './report.ts'
import { jsonReply, REQUEST_PATH, requestBody, requestHeaders } from './workload.ts'

const { values: flags } = parseArgs({
  options: {
    scrapes: { type: 'string', default: '50' },
    observations: { type: 'string', default: '200000' },
    requests: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
  },
})

const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1', 'claude-haiku-4-5', 'x-unknown']
const STATS: WriterStats = {
  queued: 0,
  stored: 0,
  spooled: 0,
  replayed: 0,
  quarantined: 0,
  spoolBytes: 0,
  spoolRecords: 0,
  degraded: false,
}

function records(count: number, domains: number) {
  return Array.from({ length: count }, (_, i) =>
    demoRecord({
      at: new Date('2026-01-01T00:00:00Z'),
      domain: `team-${i % domains}.example.com`,
      model: MODELS[i % MODELS.length]!,
      status: i % 50 === 0 ? 529 : 200,
      streaming: i % 2 === 0,
      inputTokens: 10,
      outputTokens: 300,
      cacheRead: 18_000,
      cacheWrite: 1_200,
      costUsd: 0.01,
    }),
  )
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!
const p95 = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length * 0.95)]!

// Wall time, and the process's CPU time: on a machine shared with other work the wall time
// includes waiting for a core, which the CPU time does not.
async function timed(run: () => Promise<unknown>, times = Number(flags.scrapes)) {
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < times; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await run()
    wall.push(performance.now() - t0)
    const used = process.cpuUsage(c0)
    cpu.push((used.user + used.system) / 1000)
  }
  return { wall, cpu }
}

async function benchScrape() {
  const metrics = new NexusMetrics({
    domainLabels: true,
    priceTable: DEFAULT_PRICE_TABLE,
    inFlight: () => 0,
    storage: () => STATS,
    linkerLag: () => Promise.resolve(0),
  })
  for (const r of records(8_000, 2_000)) metrics.observeRequest(r)
  const text = await metrics.render()
  const seriesCount = parseExposition(text).reduce((n, f) => n + f.samples.length, 0)
  await timed(() => metrics.renderChunks()) // warm-up
  const render = await timed(() => metrics.renderChunks())
  const http = await scrapeOverHttp(metrics, text)
  return { seriesCount, bytes: Buffer.byteLength(text), render, http }
}

// The scraper, in a process of its own so that the CPU measured here is the server's alone:
// sequential GETs on one kept-alive connection, bodies read and dropped; prints the median
// wall time of a scrape.
const SCRAPER = `
const http = require('node:http')
const [url, n] = process.argv.slice(1)
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const wall = []
const next = () => {
  const t0 = performance.now()
  http.get(url, { agent }, (res) => {
    res.resume()
    res.on('end', () => {
      wall.push(performance.now() - t0)
      if (wall.length < Number(n)) return next()
      agent.destroy()
      process.stdout.write(String(wall.sort((a, b) => a - b)[Math.floor(wall.length / 2)]))
    })
  })
}
next()`

async function scrapes(url: string, n: number): Promise<{ cpu: number; wall: number }> {
  const cpu = process.cpuUsage()
  const child = spawn(process.execPath, ['-e', SCRAPER, url, String(n)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`the scraper exited with ${code}`)
  const used = process.cpuUsage(cpu)
  return { cpu: (used.user + used.system) / 1000 / n, wall: Number(out) }
}

/** GET /metrics through the route on a loopback socket: the server's CPU per scrape. */
async function scrapeOverHttp(metrics: NexusMetrics, expected: string) {
  const route = metricsRoute({
    render: () => metrics.renderChunks(),
    token: undefined,
    host: '127.0.0.1',
  })
  const server = createServer(getRequestListener(route.fetch))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
  // The process metrics move between scrapes; ours do not.
  const ours = (t: string) => t.slice(0, t.indexOf('# HELP process_'))
  const body = await (await fetch(url)).text()
  if (ours(body) !== ours(expected)) throw new Error('the scrape over HTTP differs')
  await scrapes(url, 10)
  const result = await scrapes(url, Number(flags.scrapes))
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  return { ...result, empty: await emptyGet() }
}

/** The same measure for a GET answered with an empty body: what any request costs here. */
async function emptyGet() {
  const server = createServer((_, res) => res.end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  await scrapes(url, 10)
  const result = await scrapes(url, Number(flags.scrapes))
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  return result
}

function benchObserve(domainLabels: boolean) {
  const metrics = new NexusMetrics({
    domainLabels,
    priceTable: DEFAULT_PRICE_TABLE,
    inFlight: () => 0,
    storage: () => STATS,
    linkerLag: null,
  })
  const sample = records(1_000, 20)
  const n = Number(flags.observations)
  for (let i = 0; i < 20_000; i++) metrics.observeRequest(sample[i % sample.length]!)
  const cpu = process.cpuUsage()
  for (let i = 0; i < n; i++) metrics.observeRequest(sample[i % sample.length]!)
  const used = process.cpuUsage(cpu)
  return (used.user + used.system) / 1000 / n
}

async function proxyCpuPerRequest(enabled: boolean, mock: MockAnthropic): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nexus-bench-metrics-'))
  const config = loadConfig({
    CLAUDE_API_BASE_URL: mock.url,
    DATA_DIR: dataDir,
    CREDENTIALS_DIR: dataDir,
    STORAGE_ENABLED: 'false',
    METRICS_ENABLED: String(enabled),
    LOG_LEVEL: 'silent',
  })
  const app = createApp({ config, db: null, log: silentLog })
  await app.start()
  const server = createServer(app.proxyListener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const agent = new Agent({ connections: 16 })
  const body = requestBody(false)
  const send = async () => {
    const res = await request(`${url}${REQUEST_PATH}`, {
      method: 'POST',
      headers: requestHeaders('metrics.bench'),
      body,
      dispatcher: agent,
    })
    await res.body.dump()
  }
  const run = async (n: number) => {
    for (let i = 0; i < n; i += 16) await Promise.all(Array.from({ length: 16 }, send))
    await new Promise((r) => setImmediate(r))
  }
  await run(500)
  const cpu = process.cpuUsage()
  const n = Number(flags.requests)
  await run(n)
  const used = process.cpuUsage(cpu)
  await agent.close()
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  await app.stop()
  await rm(dataDir, { recursive: true, force: true })
  return (used.user + used.system) / 1000 / n
}

async function benchEndToEnd() {
  const mock = new MockAnthropic()
  mock.handler = () => ({ kind: 'json', body: jsonReply() })
  await mock.start()
  const on: number[] = []
  const off: number[] = []
  // Alternated, so drift in machine load falls on both sides.
  for (let i = 0; i < Number(flags.rounds); i++) {
    off.push(await proxyCpuPerRequest(false, mock))
    on.push(await proxyCpuPerRequest(true, mock))
  }
  await mock.close()
  return { on: median(on), off: median(off) }
}

const scrape = await benchScrape()
const observeMs = benchObserve(false)
const observeDomainMs = benchObserve(true)
const e2e = await benchEndToEnd()
console.log(
  `load average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (${os.cpus().length} cores)`,
)
const targets = [
  {
    name: `scrape render, ${scrape.seriesCount} series (median CPU)`,
    value: median(scrape.render.cpu),
    limit: 10,
  },
  { name: 'metrics CPU per request (observeRequest)', value: observeMs, limit: 0.01 },
]
const ms = (xs: number[]) => `${num(median(xs), 2)} / ${num(p95(xs), 2)} ms`
console.log(
  table(
    ['figure', 'value', 'target', 'verdict'],
    [
      ...targets.map((t) => [
        t.name,
        `${num(t.value, 4)} ms`,
        `≤ ${t.limit} ms`,
        verdict({ ...t, kind: 'max' }),
      ]),
      ['scrape render wall time, median / p95', ms(scrape.render.wall), '', ''],
      ['scrape over HTTP: server CPU per scrape', `${num(scrape.http.cpu, 2)} ms`, '', ''],
      ['same for an empty GET (plain node:http)', `${num(scrape.http.empty.cpu, 2)} ms`, '', ''],
      ['scrape over HTTP: wall time, median', `${num(scrape.http.wall, 2)} ms`, '', ''],
      ['scrape size', `${num(scrape.bytes / 1024, 0)} KB`, '', ''],
      ['observeRequest with domain labels', `${num(observeDomainMs, 4)} ms`, '', ''],
      ['proxy CPU per request, storage off, metrics off', `${num(e2e.off, 4)} ms`, '', ''],
      ['proxy CPU per request, storage off, metrics on', `${num(e2e.on, 4)} ms`, '', ''],
      ['difference (includes building the record)', `${num(e2e.on - e2e.off, 4)} ms`, '', ''],
    ],
  ),
)
