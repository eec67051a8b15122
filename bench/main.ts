// `npm run bench`: the proxy's throughput, latency, CPU, memory and event-loop lag against a
// loopback mock of the Anthropic API, with storage on (PGlite and PostgreSQL), for JSON and
// SSE. See docs/benchmarks.md for what each figure means.
//
//   npm run bench -- [--duration=8] [--modes=json,sse] [--backends=pglite,postgres,none]
//                    [--profile] [--big [--big-rows=1000000]] [--verbose]
//                    [--skip-memory] [--memory-body-kb=1024]   (bench/memory.ts)
//
// Processes: this one is the load generator (autocannon) and orchestrator; the mock and each
// proxy run in their own (bench/mock-process.ts, bench/proxy-process.ts), so every CPU and
// memory figure is one process's own.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { openPostgres, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import type { WriterStats } from '../src/storage/storage-writer.ts'
import { benchLinking } from './conversations.ts'
import { benchDashboard } from './dashboard.ts'
import { startChild, type Child } from './child.ts'
import { profilesIn, summarizeProfile, type ProfileSummary } from './cpu-profile.ts'
import { runLoad, type LoadResult } from './load.ts'
import { benchMemory, memoryTargets, renderMemory, type MemoryFigures } from './memory.ts'
import type { ProcessSample } from './process-stats.ts'
import type { StorageCount } from './proxy-process.ts'
import { num, table, verdict, type Target } from './report.ts'
import { benchUsageQueries } from './usage.ts'
import { requestBody, sseReply } from './workload.ts'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'json,sse' },
    backends: { type: 'string', default: 'pglite,postgres' },
    connections: { type: 'string', default: '64' },
    'paced-connections': { type: 'string', default: '256' },
    rate: { type: 'string', default: '1000' },
    'lag-rate': { type: 'string', default: '500' },
    'sse-gap-ms': { type: 'string', default: '1' },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    profile: { type: 'boolean', default: false },
    big: { type: 'boolean', default: false },
    'skip-memory': { type: 'boolean', default: false },
    'memory-body-kb': { type: 'string', default: '1024' },
    'big-rows': { type: 'string', default: '1000000' },
    verbose: { type: 'boolean', default: false },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'latest.json') },
  },
})

type Mode = 'json' | 'sse'
type Backend = 'pglite' | 'postgres' | 'none'
const BACKEND_LABEL: Record<Backend, string> = {
  pglite: 'PGlite',
  postgres: 'PostgreSQL',
  none: 'no storage',
}

const durationS = Number(flags.duration)
const warmupS = Number(flags.warmup)
const modes = flags.modes.split(',').filter((m): m is Mode => m === 'json' || m === 'sse')
const backends = flags.backends
  .split(',')
  .filter((b): b is Backend => b === 'pglite' || b === 'postgres' || b === 'none')
const connections = Number(flags.connections)
const pacedConnections = Number(flags['paced-connections'])
const rate = Number(flags.rate)
const lagRate = Number(flags['lag-rate'])
// A paced phase is only run against a server whose measured maximum is this far above it.
const HEADROOM = 1.05
// Give up waiting for the writer when the row count stops moving for this long.
const STORAGE_STALL_MS = 30_000

const log = (line: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`)

interface ProxyFigures {
  /** process.hrtime µs in the proxy when the phase began (to cut CPU profiles). */
  beganAtUs: number
  duringLoad: ProcessSample
  /** From the start of the load until the last of its rows was stored. */
  withDrain: ProcessSample
  drainS: number
  storage: StorageCount
  writer: WriterStats | null
  /** CPU of the PostgreSQL server backends serving the proxy (PostgreSQL only). */
  dbServerCpuMs: number | null
}

interface Phase {
  name: string
  host: string
  connections: number
  rate: number | null
  load: LoadResult
  loadGeneratorCpuMs: number
  mock: ProcessSample
  proxy: ProxyFigures | null
}

interface Skipped {
  name: string
  skipped: string
}

interface Run {
  target: 'direct' | Backend
  phases: Array<Phase | Skipped>
  /** The proxy process's RSS after this mode's phases, and its peak so far. */
  rssMb: number | null
  peakRssMb: number | null
  profiles: ProfileSummary[]
}

const isPhase = (p: Phase | Skipped | undefined): p is Phase => p !== undefined && 'load' in p

async function main() {
  const started = Date.now()
  const children: Child[] = []
  let benchDatabase: string | undefined
  const cleanup = async () => {
    await Promise.allSettled(children.map((c) => c.stop(30_000)))
    for (const name of [...createdDatabases]) {
      await dropDatabase(name).catch((err: unknown) =>
        log(`could not drop ${name}: ${String(err)}`),
      )
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping children and dropping the bench databases`)
      void cleanup().finally(() => process.exit(130))
    })
  }

  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: os.loadavg(),
    loadAverageAtEnd: [] as number[],
  }
  const bodies = { json: requestBody(false), sse: requestBody(true) }
  const settings = {
    durationS,
    warmupS,
    connections,
    pacedConnections,
    rate,
    lagRate,
    sseGapMs: Number(flags['sse-gap-ms']),
    requestBytes: bodies.json.length,
    sseEvents: sseReply().events,
    sseBytes: sseReply().stream.length,
  }
  log(
    `${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load average ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  )

  const runs: Record<Mode, Run[]> = { json: [], sse: [] }
  let memory: MemoryFigures | undefined
  try {
    const mock = await startChild(
      join(BENCH_DIR, 'mock-process.ts'),
      [`--sse-gap-ms=${settings.sseGapMs}`],
      {
        label: 'mock',
        verbose: flags.verbose,
      },
    )
    children.push(mock)
    const upstream = `http://127.0.0.1:${mock.port}`
    if (backends.includes('postgres')) benchDatabase = await createDatabase()

    const phase = (
      mode: Mode,
      name: string,
      target: string,
      proxy: Child | null,
      backend: Backend | 'direct',
      paced?: number,
    ) =>
      runPhase({
        mode,
        name,
        backend,
        target,
        body: bodies[mode],
        mock,
        proxy,
        rate: paced ?? null,
      })

    const direct = upstream
    for (const mode of modes) {
      log(`${mode}: direct to the mock`)
      const run: Run = { target: 'direct', phases: [], rssMb: null, peakRssMb: null, profiles: [] }
      runs[mode].push(run)
      await phase(mode, 'warmup', direct, null, 'direct')
      const max = await phase(mode, 'max', direct, null, 'direct')
      run.phases.push(max)
      run.phases.push(
        await pacedPhase(max, rate, () => phase(mode, `at-${rate}`, direct, null, 'direct', rate)),
      )
    }

    // One proxy process per backend serves every mode in turn (start-up is slow: TypeScript
    // is compiled on load and the database migrated).
    for (const backend of backends) {
      const profileDir = join(BENCH_DIR, 'results', 'profiles', backend)
      const args = [`--upstream=${upstream}`]
      if (backend === 'postgres') args.push(`--database-url=${databaseUrl(benchDatabase!)}`)
      if (backend === 'none') args.push('--storage-enabled=false')
      log(`starting the proxy, storage ${BACKEND_LABEL[backend]}`)
      const proxy = await startChild(join(BENCH_DIR, 'proxy-process.ts'), args, {
        label: `proxy ${backend}`,
        verbose: flags.verbose,
        execArgv: flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      })
      children.push(proxy)
      const target = `http://127.0.0.1:${proxy.port}`
      const mine: Run[] = []
      for (const mode of modes) {
        log(`${mode}: through the proxy, storage ${BACKEND_LABEL[backend]}`)
        const run: Run = { target: backend, phases: [], rssMb: null, peakRssMb: null, profiles: [] }
        runs[mode].push(run)
        mine.push(run)
        run.phases.push(await phase(mode, 'warmup', target, proxy, backend))
        const max = await phase(mode, 'max', target, proxy, backend)
        run.phases.push(max)
        run.phases.push(
          await pacedPhase(max, rate, () =>
            phase(mode, `at-${rate}`, target, proxy, backend, rate),
          ),
        )
        if (backend === 'pglite') {
          // Lag is measured at the target rate when storage keeps up with it, else at 80 % of
          // what storage did keep up with: lag under a backlog that only grows says little.
          const stored = storedRate(max)
          const at =
            stored >= lagRate * HEADROOM
              ? lagRate
              : Math.max(10, Math.floor((0.8 * stored) / 10) * 10)
          if (at !== lagRate)
            log(`  lag: storage kept up with ${num(stored, 0)} rows/s, so measured at ${at} req/s`)
          run.phases.push(await phase(mode, 'lag', target, proxy, backend, at))
        }
        const last = run.phases.filter(isPhase).at(-1)?.proxy?.withDrain
        run.rssMb = last?.rssMb ?? null
        run.peakRssMb = last?.peakRssMb ?? null
      }
      await proxy.stop()
      children.splice(children.indexOf(proxy), 1)
      if (flags.profile) {
        for (const run of mine) {
          const max = phaseOf(run, 'max')?.proxy
          for (const file of await profilesIn(profileDir)) {
            run.profiles.push(await summarizeProfile(file, max?.beganAtUs, max?.withDrain.atUs))
          }
        }
      }
    }
    // Its own process: peak RSS is a high-water mark, so the phases above must not set it.
    if (!flags['skip-memory'] && backends.includes('pglite')) {
      log('memory: a fresh PGlite proxy under large requests')
      memory = await benchMemory({
        upstream,
        durationS,
        connections: 16,
        bodyKb: Number(flags['memory-body-kb']),
        log,
      })
    }
  } finally {
    machine.loadAverageAtEnd = os.loadavg()
    await cleanup()
  }

  const big = flags.big ? await runBig() : undefined
  const targets = [...evaluate(runs), ...(big?.targets ?? []), ...memoryTargets(memory)]
  const elapsedS = (Date.now() - started) / 1000
  console.log(render(machine, settings, runs, targets, elapsedS))
  if (memory) console.log(`\n${renderMemory(memory)}`)

  await mkdir(dirname(flags.out), { recursive: true })
  await writeFile(
    flags.out,
    JSON.stringify(
      { at: new Date().toISOString(), machine, settings, runs, targets, big, memory, elapsedS },
      null,
      2,
    ),
  )
  log(`results written to ${flags.out}`)
}

async function pacedPhase(
  max: Phase,
  pace: number,
  run: () => Promise<Phase>,
): Promise<Phase | Skipped> {
  if (max.load.reqPerSec >= pace * HEADROOM) return run()
  const skipped = `not run: the maximum was ${num(max.load.reqPerSec, 0)} req/s, below ${pace} req/s`
  log(`  at-${pace}: ${skipped}`)
  return { name: `at-${pace}`, skipped }
}

async function runPhase(p: {
  mode: Mode
  name: string
  backend: Backend | 'direct'
  target: string
  body: Buffer
  mock: Child
  proxy: Child | null
  rate: number | null
}): Promise<Phase> {
  // The Host header becomes the stored row's domain: each phase counts exactly its own rows.
  const host = `${p.mode}-${p.backend}-${p.name}.bench`
  const warmup = p.name === 'warmup'
  const conns = p.rate ? pacedConnections : warmup ? 16 : connections
  const pgBackends0 = p.backend === 'postgres' ? await pgBackendCpu() : null
  await p.mock.call('begin')
  const began = await p.proxy?.call<{ atUs: number }>('begin')
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const load = await runLoad({
    target: p.target,
    host,
    body: p.body,
    durationS: warmup ? warmupS : durationS,
    connections: conns,
    ...(p.rate ? { rate: p.rate } : {}),
  })
  const cpu = process.cpuUsage(cpu0)
  const mock = await p.mock.call<ProcessSample>('sample')
  let proxy: ProxyFigures | null = null
  if (p.proxy) {
    const duringLoad = await p.proxy.call<ProcessSample>('sample')
    const stored = p.backend === 'none' ? 0 : await waitForRows(p.proxy, host, load.sent)
    const withDrain = await p.proxy.call<ProcessSample & { writer: WriterStats | null }>('sample')
    const drainS = Math.max(0, (performance.now() - t0) / 1000 - load.elapsedS)
    const [storage] = await p.proxy.call<StorageCount[]>('storage', [host])
    const pgBackends1 = pgBackends0 ? await pgBackendCpu() : null
    proxy = {
      beganAtUs: began?.atUs ?? 0,
      duringLoad,
      withDrain,
      drainS,
      storage: storage ?? {
        domain: host,
        rows: stored,
        ends: {},
        non2xx: 0,
        streamed: 0,
        chunks: 0,
      },
      writer: withDrain.writer,
      dbServerCpuMs: pgBackends0 && pgBackends1 ? cpuDelta(pgBackends0, pgBackends1) : null,
    }
  }
  const phase: Phase = {
    name: p.name,
    host,
    connections: conns,
    rate: p.rate,
    load,
    loadGeneratorCpuMs: (cpu.user + cpu.system) / 1000,
    mock,
    proxy,
  }
  log(`  ${describe(phase)}`)
  return phase
}

function describe(p: Phase): string {
  const l = p.load
  const parts = [
    `${p.name.padEnd(8)} ${num(l.reqPerSec, 0).padStart(6)} req/s  p50 ${num(l.latency.p50, 2)} ms  p99 ${num(l.latency.p99, 2)} ms`,
    `sent ${l.sent}`,
  ]
  if (l.non2xx || l.errors) parts.push(`non-2xx ${l.non2xx} errors ${l.errors}`)
  if (p.proxy) {
    const s = p.proxy.storage
    if (!p.host.includes('-none-'))
      parts.push(`stored ${s.rows}${s.rows === l.sent ? '' : ' ROWS LOST'}`)
    parts.push(`cpu ${num(p.proxy.withDrain.cpuMs / l.completed, 3)} ms/req`)
    parts.push(`lag p99 ${num(p.proxy.duringLoad.lag.p99, 1)} ms`)
  }
  return parts.join(', ')
}

/** Polls until `expected` rows are stored, or the count stops moving. */
async function waitForRows(proxy: Child, host: string, expected: number): Promise<number> {
  let rows = -1
  let movedAt = performance.now()
  for (;;) {
    const now = await proxy.call<number>('count', host)
    if (now >= expected) return now
    if (now !== rows) movedAt = performance.now()
    rows = now
    if (performance.now() - movedAt > STORAGE_STALL_MS) {
      log(`  ${host}: stored ${rows} of ${expected}; nothing new for ${STORAGE_STALL_MS / 1000} s`)
      return rows
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

// --- PostgreSQL -------------------------------------------------------------------------

const APPLICATION_NAME = 'nexus-bench-proxy'

function databaseUrl(database: string): string {
  const url = new URL(flags['postgres-url'])
  url.pathname = `/${database}`
  url.searchParams.set('application_name', APPLICATION_NAME)
  return url.toString()
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: flags['postgres-url'] })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

// Dropped at the end, and on Ctrl-C.
const createdDatabases = new Set<string>()

async function createDatabase(): Promise<string> {
  const name = `nexus_bench_${randomBytes(4).toString('hex')}`
  createdDatabases.add(name)
  await admin((c) => c.query(`create database ${name}`))
  log(`created database ${name}`)
  return name
}

async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`drop database if exists ${name} with (force)`))
  createdDatabases.delete(name)
  log(`dropped database ${name}`)
}

/** CPU ms of each server backend the proxy is connected through, from /proc. */
async function pgBackendCpu(): Promise<Map<number, number>> {
  const pids = await admin((c) =>
    c.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [
      APPLICATION_NAME,
    ]),
  ).catch(() => ({ rows: [] as Array<{ pid: number }> }))
  const out = new Map<number, number>()
  for (const { pid } of pids.rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * 10)
    } catch {
      // Gone already, or no /proc.
    }
  }
  return out
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0)
  return total
}

// --- Targets and output ---------------------------------------------------------------

function phaseOf(run: Run | undefined, name: string): Phase | undefined {
  const p = run?.phases.find((x) => x.name === name)
  return isPhase(p) ? p : undefined
}

function skipNote(run: Run | undefined, name: string): string | undefined {
  const p = run?.phases.find((x) => x.name === name)
  return p && 'skipped' in p ? p.skipped : undefined
}

/** Rows stored per second from the start of the load until the last one was stored. */
function storedRate(p: Phase): number {
  if (!p.proxy) return 0
  return p.proxy.storage.rows / (p.load.elapsedS + p.proxy.drainS)
}

function cpuPerRequest(p: Phase | undefined): number | null {
  return p?.proxy ? p.proxy.withDrain.cpuMs / p.load.completed : null
}

function evaluate(runs: Record<Mode, Run[]>): Target[] {
  const targets: Target[] = []
  for (const mode of modes) {
    const direct = runs[mode].find((r) => r.target === 'direct')
    const directMax = phaseOf(direct, 'max')
    const directPaced = phaseOf(direct, `at-${rate}`)
    for (const run of runs[mode].filter((r) => r.target === 'pglite' || r.target === 'postgres')) {
      const where = `${mode} / ${BACKEND_LABEL[run.target as Backend]}`
      const max = phaseOf(run, 'max')
      const paced = phaseOf(run, `at-${rate}`)
      targets.push({
        name: 'through-proxy / direct req/s',
        where,
        value: max && directMax ? (100 * max.load.reqPerSec) / directMax.load.reqPerSec : null,
        limit: 60,
        kind: 'min',
        unit: '%',
      })
      targets.push({
        name: 'proxy CPU per request',
        where,
        value: cpuPerRequest(max),
        limit: 0.3,
        kind: 'max',
        unit: 'ms',
      })
      const addedNote =
        skipNote(run, `at-${rate}`) ??
        (directPaced ? undefined : `direct ${skipNote(direct, `at-${rate}`) ?? 'missing'}`)
      targets.push({
        name: `added p99 at ${rate} req/s`,
        where,
        value: paced && directPaced ? paced.load.latency.p99 - directPaced.load.latency.p99 : null,
        limit: 3,
        kind: 'max',
        unit: 'ms',
        ...(addedNote ? { note: addedNote } : {}),
      })
      if (run.target === 'pglite') {
        const lag = phaseOf(run, 'lag')
        const short =
          lag && lag.rate !== lagRate
            ? `storage kept up with ${num(storedRate(phaseOf(run, 'max')!), 0)} rows/s only; at ${lag.rate} req/s p99 was ${num(lag.proxy!.duringLoad.lag.p99, 1)} ms`
            : undefined
        targets.push({
          name: `event-loop lag p99 at ${lagRate} stored req/s`,
          where,
          value: lag && !short ? lag.proxy!.duringLoad.lag.p99 : null,
          limit: 10,
          kind: 'max',
          unit: 'ms',
          ...(short ? { note: short } : {}),
        })
      }
    }
  }
  return targets
}

function render(
  machine: {
    cpus: number
    cpuModel: string
    memoryGb: number
    node: string
    loadAverageAtStart: number[]
    loadAverageAtEnd: number[]
  },
  settings: Record<string, number>,
  runs: Record<Mode, Run[]>,
  targets: Target[],
  elapsedS: number,
): string {
  const out: string[] = []
  out.push('Claude Nexus Proxy benchmark')
  out.push(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}; ` +
      `load average ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join('/')} at start, ` +
      `${machine.loadAverageAtEnd.map((l) => l.toFixed(2)).join('/')} at end`,
  )
  out.push(
    `workload: POST /v1/messages?beta=true, ${num(settings.requestBytes! / 1024, 1)} KB Claude Code-like body; ` +
      `JSON answer 1.6 KB; SSE answer ${settings.sseEvents} events / ${num(settings.sseBytes! / 1024, 1)} KB, one write per event ${settings.sseGapMs} ms apart`,
  )
  out.push(
    `phases: ${settings.durationS} s each; max = closed loop on ${settings.connections} connections; ` +
      `at-N = open loop, N req/s paced evenly over up to ${settings.pacedConnections} connections; ` +
      `CPU/request counts proxy-process CPU (all threads) from load start until its last row is stored`,
  )
  for (const mode of modes) {
    const list = runs[mode]
    if (list.length === 0) continue
    out.push('')
    out.push(mode === 'json' ? 'Non-streaming (JSON)' : 'Streaming (SSE)')
    const header = [
      '',
      ...list.map((r) => (r.target === 'direct' ? 'direct' : BACKEND_LABEL[r.target])),
    ]
    const rows: string[][] = []
    const directMax = phaseOf(list[0], 'max')
    const directPaced = phaseOf(list[0], `at-${rate}`)
    const cell = (r: Run, f: (r: Run) => string) => f(r)
    const row = (label: string, f: (r: Run) => string) =>
      rows.push([label, ...list.map((r) => cell(r, f))])
    const lat = (p: Phase | undefined) =>
      p ? `${num(p.load.latency.p50, 2)} / ${num(p.load.latency.p99, 2)}` : '–'
    const mark = (
      value: number | null,
      limit: number,
      kind: 'min' | 'max',
      digits: number,
      unit = '',
    ) => (value === null ? '–' : `${num(value, digits)}${unit} ${verdict({ value, limit, kind })}`)
    row(`max req/s (${connections} connections)`, (r) => num(phaseOf(r, 'max')?.load.reqPerSec, 0))
    row('  p50 / p99 ms', (r) => lat(phaseOf(r, 'max')))
    row('  through-proxy / direct (≥ 60 %)', (r) => {
      const max = phaseOf(r, 'max')
      if (r.target === 'direct' || !max || !directMax) return ''
      return mark((100 * max.load.reqPerSec) / directMax.load.reqPerSec, 60, 'min', 0, ' %')
    })
    row(`at ${rate} req/s: p50 / p99 ms`, (r) => {
      const p = phaseOf(r, `at-${rate}`)
      return p ? lat(p) : skipNote(r, `at-${rate}`) ? 'saturated' : '–'
    })
    row(`  added p99 (≤ 3 ms)`, (r) => {
      const p = phaseOf(r, `at-${rate}`)
      if (r.target === 'direct') return ''
      if (!p || !directPaced) return 'MISS (n/a)'
      return mark(p.load.latency.p99 - directPaced.load.latency.p99, 3, 'max', 2, ' ms')
    })
    row('proxy CPU ms/request at max (≤ 0.3)', (r) =>
      r.target === 'direct' ? '' : mark(cpuPerRequest(phaseOf(r, 'max')), 0.3, 'max', 3),
    )
    row('  main thread / other threads', (r) => {
      const p = phaseOf(r, 'max')?.proxy
      if (!p) return ''
      const n = phaseOf(r, 'max')!.load.completed
      const main = p.withDrain.mainThreadCpuMs
      return main === null ? '–' : `${num(main / n, 3)} / ${num((p.withDrain.cpuMs - main) / n, 3)}`
    })
    row('  of which in the kernel', (r) => {
      const p = phaseOf(r, 'max')
      return p?.proxy ? num(p.proxy.withDrain.systemCpuMs / p.load.completed, 3) : ''
    })
    row('  PostgreSQL server ms/request', (r) => {
      const p = phaseOf(r, 'max')
      return p?.proxy?.dbServerCpuMs != null ? num(p.proxy.dbServerCpuMs / p.load.completed, 3) : ''
    })
    row(`proxy CPU ms/request at ${rate} req/s`, (r) =>
      r.target === 'direct' ? '' : num(cpuPerRequest(phaseOf(r, `at-${rate}`)), 3),
    )
    row('mock CPU ms/request at max', (r) => {
      const p = phaseOf(r, 'max')
      return p ? num(p.mock.cpuMs / p.load.completed, 3) : '–'
    })
    row('load generator CPU ms/request at max', (r) => {
      const p = phaseOf(r, 'max')
      return p ? num(p.loadGeneratorCpuMs / p.load.completed, 3) : '–'
    })
    row('storage drain after max, s', (r) =>
      r.target === 'direct' || r.target === 'none' ? '' : num(phaseOf(r, 'max')?.proxy?.drainS, 1),
    )
    row('proxy RSS after / peak so far, MB', (r) =>
      r.target === 'direct' ? '' : `${num(r.rssMb, 0)} / ${num(r.peakRssMb, 0)}`,
    )
    row('event-loop lag p50/p99/max ms at max', (r) => {
      const p = phaseOf(r, 'max')?.proxy
      return p
        ? `${num(p.duringLoad.lag.p50, 1)} / ${num(p.duringLoad.lag.p99, 1)} / ${num(p.duringLoad.lag.max, 0)}`
        : ''
    })
    row('storage throughput at max, rows/s', (r) => {
      const p = phaseOf(r, 'max')
      return p?.proxy && r.target !== 'none' ? num(storedRate(p), 0) : ''
    })
    row('lag phase: req/s offered / achieved', (r) => {
      const p = phaseOf(r, 'lag')
      return p ? `${p.rate} / ${num(p.load.completed / p.load.elapsedS, 0)}` : ''
    })
    row('  event-loop lag p50/p99/max ms', (r) => {
      const p = phaseOf(r, 'lag')
      if (!p?.proxy) return ''
      const l = p.proxy.duringLoad.lag
      const verdictText =
        p.rate === lagRate ? ` ${verdict({ value: l.p99, limit: 10, kind: 'max' })}` : ''
      return `${num(l.p50, 1)} / ${num(l.p99, 1)} / ${num(l.max, 0)}${verdictText}`
    })
    if (mode === 'sse') {
      row('stored chunks per stream', (r) => {
        const p = phaseOf(r, 'max')?.proxy?.storage
        return p && p.streamed ? num(p.chunks / p.streamed, 1) : ''
      })
    }
    row('rows stored / requests sent', (r) => {
      if (r.target === 'direct' || r.target === 'none') return ''
      let sent = 0
      let stored = 0
      for (const p of r.phases.filter(isPhase)) {
        sent += p.load.sent
        stored += p.proxy?.storage.rows ?? 0
      }
      return `${stored}/${sent} ${stored === sent ? 'OK' : 'LOST'}`
    })
    out.push(table(header, rows))
  }

  out.push('')
  out.push('Targets')
  out.push(
    table(
      ['target', 'where', 'value', 'limit', ''],
      targets.map((t) => [
        t.name,
        t.where,
        t.value === null ? 'n/a' : `${num(t.value, t.unit === '%' ? 0 : 2)} ${t.unit}`,
        `${t.kind === 'min' ? '≥' : '≤'} ${t.limit} ${t.unit}`,
        `${verdict(t)}${t.note ? `  (${t.note})` : ''}`,
      ]),
      [1, 4],
    ),
  )

  out.push('')
  out.push('Rows stored per phase (every request sent must be stored)')
  const storageRows: string[][] = []
  for (const mode of modes) {
    for (const run of runs[mode]) {
      for (const p of run.phases) {
        if (!isPhase(p) || !p.proxy || run.target === 'none') continue
        const s = p.proxy.storage
        storageRows.push([
          p.host,
          String(p.load.sent),
          String(s.rows),
          Object.entries(s.ends)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
          s.rows === p.load.sent ? 'OK' : 'LOST',
        ])
      }
    }
  }
  out.push(table(['phase (domain)', 'sent', 'stored', 'how they ended', ''], storageRows, [3, 4]))

  for (const mode of modes) {
    for (const run of runs[mode]) {
      for (const prof of run.profiles) {
        if (prof.busyMs < 50) continue
        out.push('')
        out.push(
          `CPU profile ${mode} / ${BACKEND_LABEL[run.target as Backend]} (max phase, ${prof.file.split('/').pop()}): busy ${num(prof.busyMs, 0)} of ${num(prof.windowMs, 0)} ms`,
        )
        out.push(
          table(
            ['self time', 'ms'],
            prof.self.map((s) => [s.frame, num(s.ms, 0)]),
          ),
        )
        if (prof.inclusive.length)
          out.push(
            table(
              ['inclusive (src/)', 'ms'],
              prof.inclusive.map((s) => [s.frame, num(s.ms, 0)]),
            ),
          )
      }
    }
  }
  out.push('')
  out.push(`benchmark took ${num(elapsedS, 0)} s`)
  return out.join('\n')
}

// --- 1M-row benchmarks of other capabilities (--big) ----------------------------------

interface BigResults {
  results: Record<string, unknown>
  targets: Target[]
}

interface BigSuite {
  name: string
  run(db: Database, options: { rows: number }): Promise<{ targets: Target[] }>
}

// Each capability's 1,000,000-row benchmark, in the order the issues list them.
const BIG_SUITES: BigSuite[] = [
  { name: 'conversation linking', run: benchLinking },
  { name: 'usage queries', run: benchUsageQueries },
  { name: 'dashboard pages', run: benchDashboard },
]

/** Runs the capabilities' own benchmarks, each on a fresh migrated PostgreSQL database. */
async function runBig(): Promise<BigResults> {
  const big: BigResults = { results: {}, targets: [] }
  for (const suite of BIG_SUITES) {
    const database = await createDatabase()
    const db = openPostgres({ url: databaseUrl(database) })
    try {
      await migrate(db)
      log(`--big: ${suite.name} on PostgreSQL database ${database}`)
      const result = await suite.run(db, { rows: Number(flags['big-rows']) })
      big.results[suite.name] = result
      big.targets.push(...result.targets)
    } catch (err) {
      log(`--big: ${suite.name} failed: ${(err as Error).stack ?? String(err)}`)
      big.results[suite.name] = { error: String(err) }
    } finally {
      await db.close()
      await dropDatabase(database)
    }
  }
  return big
}

await main()
