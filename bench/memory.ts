// Memory of the embedded (PGlite) process: start-up time, idle RSS, and RSS under a load of
// large JSON and streamed requests. Part of `npm run bench`; alone:
//
//   node bin/run-ts.js bench/memory.ts [--duration=10] [--connections=16] [--body-kb=1024]
//     [--node-options="--max-old-space-size=…"]   (flags for the proxy process, to compare)
//     [--from-source]   (run the proxy from src/ through tsx instead of the built dist/)
//
// The proxy runs as `nexus start` runs it: dist/ on plain node (bench/built-proxy.ts builds
// dist/ first when src/ is newer).
// RSS is read by this process from /proc/<pid>/status every 100 ms (VmRSS; VmHWM is the
// kernel's own peak), so the proxy measures nothing about itself and every thread counts:
// the PGlite worker's WebAssembly heap is in the same process.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { builtProxyProcess } from './built-proxy.ts'
import { startChild, type Child } from './child.ts'
import type { MemoryBreakdown } from './proxy-process.ts'
import { runLoad } from './load.ts'
import { num, table, type Target } from './report.ts'
import { prose, requestBody } from './workload.ts'

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url))
const SAMPLE_MS = 100
// Idle is read after the start-up garbage has had time to be collected.
const SETTLE_MS = 5_000
// Give up waiting for the writer when the row count stops moving for this long.
const STALL_MS = 60_000

export interface MemoryPhase {
  name: string
  sent: number
  /** Requests that failed at the client (socket errors, timeouts) or got a non-2xx. */
  failed: number
  stored: number
  /** Highest VmRSS seen from the start of the load until its last row was stored. */
  peakRssMb: number
  /** VmRSS once the phase's rows are stored. */
  afterRssMb: number
  /** The highest of each part of the process's memory seen during the phase. */
  parts: MemoryBreakdown
}

export interface MemoryFigures {
  bodyKb: number
  /** Fork until the proxy listens (TypeScript loading, data directory, migrations). */
  readyS: number
  idleRssMb: number
  phases: MemoryPhase[]
  /** The kernel's peak (VmHWM) over the whole run. */
  peakRssMb: number
}

export async function benchMemory(options: {
  upstream: string
  durationS: number
  connections: number
  bodyKb: number
  /** Node/V8 flags for the proxy process. */
  nodeOptions?: string[]
  /** Run src/ through tsx (what the bench measured before) instead of dist/ on plain node. */
  fromSource?: boolean
  log: (line: string) => void
}): Promise<MemoryFigures> {
  const entry = options.fromSource
    ? join(BENCH_DIR, 'proxy-process.ts')
    : await builtProxyProcess(options.log)
  const began = performance.now()
  const proxy = await startChild(entry, [`--upstream=${options.upstream}`], {
    label: 'proxy memory',
    execArgv: options.nodeOptions ?? [],
  })
  try {
    const readyS = (performance.now() - began) / 1000
    await new Promise((r) => setTimeout(r, SETTLE_MS))
    const idleRssMb = status(proxy.pid).rssMb
    options.log(`memory: ready in ${num(readyS)} s, idle ${num(idleRssMb, 0)} MB`)
    const phases: MemoryPhase[] = []
    for (const stream of [false, true]) {
      const name = stream ? 'sse' : 'json'
      const phase = await loadPhase(proxy, name, bigBody(stream, options.bodyKb * 1024), options)
      options.log(
        `memory: ${name} ${phase.sent} requests of ${options.bodyKb} KB, peak ${num(phase.peakRssMb, 0)} MB, after ${num(phase.afterRssMb, 0)} MB`,
      )
      options.log(`memory: ${name} highest: ${partsLine(phase.parts)}`)
      phases.push(phase)
    }
    return {
      bodyKb: options.bodyKb,
      readyS,
      idleRssMb,
      phases,
      peakRssMb: status(proxy.pid).peakRssMb,
    }
  } finally {
    await proxy.stop()
  }
}

async function loadPhase(
  proxy: Child,
  name: string,
  body: Buffer,
  options: { upstream: string; durationS: number; connections: number },
): Promise<MemoryPhase> {
  const host = `memory-${name}.bench`
  let peakRssMb = 0
  const timer = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, status(proxy.pid).rssMb)
  }, SAMPLE_MS)
  const parts = sampleParts(proxy)
  try {
    const load = await runLoad({
      target: `http://127.0.0.1:${proxy.port}`,
      host,
      body,
      durationS: options.durationS,
      connections: options.connections,
      // 16 uploads of 1 MB on a busy 2-core machine can take longer than autocannon's 10 s;
      // a request the client gave up on mid-upload is never stored, and the count must hold.
      timeoutS: 120,
    })
    const stored = await waitForRows(proxy, host, load.sent)
    return {
      name,
      sent: load.sent,
      failed: load.errors + load.non2xx,
      stored,
      peakRssMb,
      afterRssMb: status(proxy.pid).rssMb,
      parts: await parts.stop(),
    }
  } finally {
    clearInterval(timer)
    await parts.stop()
  }
}

/** Asks the proxy for its memory by part (main thread, PGlite worker) until stopped. */
function sampleParts(proxy: Child) {
  const max: MemoryBreakdown = {
    mainHeapMb: 0,
    mainExternalMb: 0,
    workerHeapMb: 0,
    workerExternalMb: 0,
    wasmMb: 0,
    queued: 0,
  }
  let stopped = false
  const loop = (async () => {
    while (!stopped) {
      const now = await proxy.call<MemoryBreakdown>('memory')
      for (const key of Object.keys(max) as (keyof MemoryBreakdown)[]) {
        max[key] = Math.max(max[key], now[key])
      }
      await new Promise((r) => setTimeout(r, SAMPLE_MS))
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
      return max
    },
  }
}

function partsLine(p: MemoryBreakdown): string {
  return (
    `main heap ${num(p.mainHeapMb, 0)} + buffers ${num(p.mainExternalMb, 0)} MB, ` +
    `worker heap ${num(p.workerHeapMb, 0)} + buffers ${num(p.workerExternalMb, 0)} MB, ` +
    `WebAssembly ${num(p.wasmMb, 0)} MB, up to ${p.queued} records queued`
  )
}

/** Polls until `expected` rows are stored, or the count stops moving for STALL_MS. */
async function waitForRows(proxy: Child, host: string, expected: number): Promise<number> {
  let rows = await proxy.call<number>('count', host)
  let movedAt = performance.now()
  while (rows < expected && performance.now() - movedAt < STALL_MS) {
    await new Promise((r) => setTimeout(r, 200))
    const now = await proxy.call<number>('count', host)
    if (now !== rows) movedAt = performance.now()
    rows = now
  }
  return rows
}

/** The usual Claude Code-like body plus one user turn of `bytes` (a pasted file, a PDF's text). */
function bigBody(stream: boolean, bytes: number): Buffer {
  const body = JSON.parse(requestBody(stream).toString()) as { messages: unknown[] }
  body.messages.push({ role: 'user', content: [{ type: 'text', text: prose(bytes, 7) }] })
  return Buffer.from(JSON.stringify(body))
}

function status(pid: number): { rssMb: number; peakRssMb: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1])
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 }
}

/** The goal: the embedded process stays under 600 MB however large the requests. */
export function memoryTargets(m: MemoryFigures | undefined): Target[] {
  if (!m) return []
  const lost = m.phases.some((p) => p.stored !== p.sent)
  return [
    {
      name: 'peak RSS under large requests',
      where: `PGlite, ${m.bodyKb} KB requests`,
      // A run that lost rows measured less work than it claims: it cannot pass.
      value: lost ? null : m.peakRssMb,
      limit: 600,
      kind: 'max',
      unit: 'MB',
      ...(lost ? { note: 'rows lost' } : {}),
    },
  ]
}

export function renderMemory(m: MemoryFigures): string {
  const rows = [
    ['idle', '', '', '', num(m.idleRssMb, 0), ''],
    ...m.phases.map((p) => [
      `${p.name} load`,
      String(p.sent),
      String(p.failed),
      p.stored === p.sent ? String(p.stored) : `${p.stored} LOST`,
      num(p.afterRssMb, 0),
      num(p.peakRssMb, 0),
    ]),
  ]
  return [
    `Memory, PGlite (requests of ${m.bodyKb} KB; ready in ${num(m.readyS)} s; peak RSS ${num(m.peakRssMb, 0)} MB)`,
    table(['phase', 'sent', 'failed', 'stored', 'RSS after MB', 'peak RSS MB'], rows),
  ].join('\n')
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      'body-kb': { type: 'string', default: '1024' },
      'node-options': { type: 'string', default: '' },
      'from-source': { type: 'boolean', default: false },
    },
  })
  const log = (line: string) => console.error(`[memory] ${line}`)
  const mock = await startChild(join(BENCH_DIR, 'mock-process.ts'), [], { label: 'mock' })
  try {
    const figures = await benchMemory({
      upstream: `http://127.0.0.1:${mock.port}`,
      durationS: Number(values.duration),
      connections: Number(values.connections),
      bodyKb: Number(values['body-kb']),
      nodeOptions: values['node-options'].split(' ').filter(Boolean),
      fromSource: values['from-source'],
      log,
    })
    console.log(renderMemory(figures))
    // The figure only counts when every request was stored: a lost row is a failed run.
    const lost = figures.phases.filter((p) => p.stored !== p.sent)
    if (lost.length > 0) {
      console.error(`[memory] rows lost in: ${lost.map((p) => p.name).join(', ')}`)
      process.exitCode = 1
    }
  } finally {
    await mock.stop()
  }
}
