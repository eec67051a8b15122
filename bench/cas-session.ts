// Storage of a realistic Claude Code session (issue 9): bytes on disk and CPU per request by turn
// number, through the real writer (StorageWriter + createRecordStore), on both backends, at
// saturation and at 2 and 20 req/s.
//
//   node --expose-gc bin/run-ts.js bench/cas-session.ts [--turns=100] [--sessions=8] [--backend=pglite,postgres]
//                                           [--modes=saturation,20,2] [--turn-kb=10] [--flush-ms=50]
//
// The session: the system prompt and tools of a recorded Claude Code request
// (src/conversations/claude-code/fixtures), then each turn an assistant message (text from the
// recorded prompts, a Read tool call) and a tool result holding ~turn-kb of this repository's
// source in Claude Code's numbered-line format (real compressibility), the cache marker moved to
// the last message as Claude Code does; 100 turns reach ~1 MB bodies.
// Saturation: `sessions` sessions, each step enqueues turn t of every session and waits until
// they are stored (one batch). At N req/s: one session, one request every 1/N s.
// CPU: process.cpuUsage() of this process (the writer, the split and hashing, and PGlite's worker
// thread) plus, on PostgreSQL, the server backend's own CPU from /proc/<pid>/stat. Body generation
// happens before each measured step and is not counted (with --expose-gc its garbage is collected
// before the step too, or the collector's threads bill it to the step). Not counted either: the proxy's own
// forwarding and record building (JSON.parse of the body for facts), which bench/main.ts covers.
// PostgreSQL comes from TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/nexus_test);
// each run uses a schema of its own and drops it.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { demoRecord } from '../src/dashboard/demo/demo-records.ts'
import { openPglite, openPostgres, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { silentLog } from '../src/log.ts'
import { Quarantine } from '../src/storage/quarantine.ts'
import type { RequestRecord } from '../src/storage/request-record.ts'
import { bodyTextExpr } from '../src/storage/content-store.ts'
import { createRecordStore } from '../src/storage/request-store.ts'
import { searchTextOf } from '../src/storage/search-text.ts'
import { Spool } from '../src/storage/spool.ts'
import { StorageWriter } from '../src/storage/storage-writer.ts'
import { markLastForCache } from './workload.ts'

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '100' },
    sessions: { type: 'string', default: '8' },
    backend: { type: 'string', default: 'pglite,postgres' },
    modes: { type: 'string', default: 'saturation,20,2' },
    'turn-kb': { type: 'string', default: '10' },
    // STORAGE_FLUSH_INTERVAL_MS: a record not committed within half of it is also spooled.
    'flush-ms': { type: 'string', default: '50' },
  },
})
const TURNS = Number(values.turns)
const TURN_BYTES = Number(values['turn-kb']) * 1024
const ROOT = join(import.meta.dirname, '..')

// ---- the workload ----------------------------------------------------------------------------

interface Recorded {
  system: unknown
  tools: unknown
  prose: string[]
}

function recorded(): Recorded {
  const dir = join(ROOT, 'src/conversations/claude-code/fixtures')
  let best: { system?: unknown; tools?: unknown } = {}
  let bestSize = 0
  const prose: string[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      requests: Array<{ body: { system?: unknown; tools?: unknown } | null }>
    }
    for (const r of fixture.requests) {
      if (r.body?.tools === undefined) continue
      const size = JSON.stringify(r.body.system).length + JSON.stringify(r.body.tools).length
      if (size > bestSize) [best, bestSize] = [r.body, size]
      collectText(r.body.system, prose)
    }
  }
  return { system: best.system, tools: best.tools, prose }
}

function collectText(value: unknown, out: string[]) {
  if (typeof value === 'string' && value.length > 200) out.push(value)
  else if (Array.isArray(value)) for (const v of value) collectText(v, out)
  else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value)) collectText(v, out)
}

/** This repository's TypeScript, as one text: what the session's Read calls return. */
function sourceCorpus(): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.ts')) files.push(readFileSync(path, 'utf8'))
    }
  }
  walk(join(ROOT, 'src'))
  return files.join('\n').split('\n')
}

class Session {
  readonly messages: Array<Record<string, unknown>> = []
  #line: number
  constructor(
    readonly id: number,
    private readonly rec: Recorded,
    private readonly lines: string[],
  ) {
    this.#line = (id * 7919) % lines.length
  }

  /** The request body of the next turn. */
  next(turn: number): string {
    const toolId = `toolu_${this.id}_${turn}_${randomBytes(6).toString('hex')}`
    if (turn > 0) {
      const prose = this.rec.prose[(this.id + turn) % this.rec.prose.length] ?? ''
      const at = (turn * 131) % Math.max(1, prose.length - 600)
      this.messages.push({
        role: 'assistant',
        content: [
          { type: 'text', text: prose.slice(at, at + 600) },
          { type: 'tool_use', id: toolId, name: 'Read', input: { file_path: `/repo/f${turn}.ts` } },
        ],
      })
    }
    this.messages.push({
      role: 'user',
      content:
        turn === 0
          ? [{ type: 'text', text: `Session ${this.id}: read the storage code and explain it.` }]
          : [{ type: 'tool_result', tool_use_id: toolId, content: this.#read(TURN_BYTES) }],
    })
    const marked = markLastForCache(this.messages)
    // Claude Code's key order: the tools and system prompt come before the messages.
    return JSON.stringify({
      model: 'claude-opus-4-6',
      tools: this.rec.tools,
      stream: true,
      system: this.rec.system,
      messages: marked,
      metadata: { user_id: `user_${this.id}_account__session_${this.id}` },
      max_tokens: 32000,
    })
  }

  // Claude Code's Read output: numbered lines of a file.
  #read(bytes: number): string {
    let out = ''
    let n = 1
    while (out.length < bytes) {
      out += `${String(n++).padStart(6)}→${this.lines[this.#line] ?? ''}\n`
      this.#line = (this.#line + 1) % this.lines.length
    }
    return out
  }
}

// ---- the database ----------------------------------------------------------------------------

interface Opened {
  db: Database
  close: () => Promise<void>
  /** CPU seconds of the PostgreSQL backend serving db (0 for PGlite: in process). */
  serverCpu: () => number
}

async function open(backend: string): Promise<Opened> {
  if (backend === 'pglite') {
    const db = openPglite(undefined)
    await migrate(db)
    return { db, close: () => db.close(), serverCpu: () => 0 }
  }
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nexus_test'
  const schema = `cas_${randomBytes(4).toString('hex')}`
  const admin = openPostgres({ url, maxConnections: 1 })
  await admin.exec(`create schema ${schema}`)
  // One connection, so one server process does all of this run's work.
  const db = openPostgres({ url, schema, maxConnections: 1 })
  await migrate(db)
  const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely))
    .rows[0]?.pid
  const ticks = 100
  return {
    db,
    close: async () => {
      await db.close()
      await admin.exec(`drop schema ${schema} cascade`)
      await admin.close()
    },
    serverCpu: () => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        return (Number(fields[11]) + Number(fields[12])) / ticks
      } catch {
        return Number.NaN
      }
    },
  }
}

async function bodyBytesOnDisk(db: Database) {
  const q = await sql<{ disk: string; unique: string; rows: string }>`select
      pg_total_relation_size('content_blobs') + pg_total_relation_size('content_lists')
        + coalesce((select sum(coalesce(pg_column_size(body_list), 0) + coalesce(pg_column_size(body_tail), 0)
            + coalesce(pg_column_size(body), 0)) from api_requests), 0) as disk,
      (select coalesce(sum(octet_length(content)), 0) from content_blobs)
        + (select coalesce(sum(octet_length(sep)), 0) from content_lists)
        + (select coalesce(sum(octet_length(body_tail)), 0) from api_requests) as unique,
      (select count(*) from api_requests) as rows`.execute(db.kysely)
  const r = q.rows[0]
  return { disk: Number(r?.disk), unique: Number(r?.unique), rows: Number(r?.rows) }
}

// ---- the runs --------------------------------------------------------------------------------

interface TurnFigure {
  turn: number
  requests: number
  bodyKb: number
  cpuMs: number
  serverMs: number
}

async function withWriter<T>(
  db: Database,
  run: (w: StorageWriter, stored: () => Promise<void>) => Promise<T>,
) {
  const dir = mkdtempSync(join(tmpdir(), 'cas-session-'))
  const spool = new Spool(join(dir, 'spool'))
  await spool.init()
  const pending = new Set<string>()
  const writes: number[] = []
  let wake: (() => void) | undefined
  const writer = new StorageWriter({
    store: createRecordStore(db),
    spool,
    quarantine: new Quarantine(join(dir, 'quarantine')),
    log: silentLog,
    settings: {
      batchSize: 200,
      flushIntervalMs: Number(values['flush-ms']),
      writeTimeoutMs: 60_000,
      maxQueue: 5_000,
      maxQueueBytes: 512 * 1024 * 1024,
      retryIntervalMs: 2_000,
    },
    // A record slower than half a flush interval is also spooled and replayed: counted once.
    onWrite: (ms) => writes.push(ms),
    onStored: (records) => {
      for (const r of records) pending.delete(r.requestId)
      if (pending.size === 0) wake?.()
    },
  })
  const enqueue = writer.enqueue.bind(writer)
  writer.enqueue = (r) => {
    pending.add(r.requestId)
    enqueue(r)
  }
  writer.start()
  const stored = () =>
    pending.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))
  try {
    const result = await run(writer, stored)
    await writer.drain()
    writes.sort((a, b) => a - b)
    const p50 = writes[Math.floor(writes.length / 2)] ?? 0
    return { result, spooled: writer.stats().spooled, writeMs: p50 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// As the proxy builds it (record-exchange.ts), search text included: that parse is the proxy's
// work before storage, done here before the measured step.
const recordOf = (bodyJson: string): RequestRecord => ({
  ...demoRecord({ domain: 'bench.test', at: new Date() }),
  requestId: randomUUID(),
  bodyJson,
  bodyBytes: Buffer.byteLength(bodyJson),
  searchText: searchTextOf(JSON.parse(bodyJson), [{ type: 'text', text: 'Done.' }], null),
})

const cpuSeconds = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

async function runMode(backend: string, mode: string, rec: Recorded, lines: string[]) {
  const opened = await open(backend)
  const { db } = opened
  const rate = mode === 'saturation' ? 0 : Number(mode)
  const sessions = Array.from(
    { length: rate === 0 ? Number(values.sessions) : 1 },
    (_, i) => new Session(i, rec, lines),
  )
  const figures: TurnFigure[] = []
  const bytesAt: Array<{ turn: number; disk: number; unique: number }> = []
  let last: RequestRecord | undefined
  try {
    const { spooled, writeMs } = await withWriter(db, async (writer, stored) => {
      let due = performance.now()
      for (let turn = 0; turn < TURNS; turn++) {
        const records = sessions.map((s) => recordOf(s.next(turn)))
        last = records[0]
        const bodyKb = (records[0]?.bodyJson?.length ?? 0) / 1024
        if (rate > 0) {
          // Wait for the slot, then count everything until the next one: the request's own
          // work and the writer's timers between requests.
          due += 1000 / rate
          await new Promise((r) =>
            setTimeout(r, Math.max(0, due - 1000 / rate - performance.now())),
          )
        }
        // The generated bodies' garbage is collected before, not during, the measured step.
        ;(globalThis as { gc?: () => void }).gc?.()
        const cpu0 = cpuSeconds()
        const srv0 = opened.serverCpu()
        for (const r of records) writer.enqueue(r)
        if (rate === 0) await stored()
        else await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())))
        figures.push({
          turn,
          requests: records.length,
          bodyKb,
          cpuMs: ((cpuSeconds() - cpu0) * 1000) / records.length,
          serverMs: ((opened.serverCpu() - srv0) * 1000) / records.length,
        })
        if (rate === 0 && (turn + 1) % 10 === 0) {
          const b = await bodyBytesOnDisk(db)
          bytesAt.push({ turn: turn + 1, disk: b.disk, unique: b.unique })
        }
      }
      await stored()
    })
    const end = await bodyBytesOnDisk(db)
    const sent = figures.reduce((n, f) => n + f.requests, 0)
    if (end.rows !== sent) throw new Error(`${sent} requests sent, ${end.rows} stored`)
    const readMs = await readBack(db, last)
    return { figures, bytesAt, end, sessions: sessions.length, spooled, writeMs, readMs }
  } finally {
    await opened.close()
  }
}

// The last body read back through nexus_request_body_text: byte-exact, and how long it takes.
async function readBack(db: Database, record: RequestRecord | undefined) {
  const read = () =>
    sql<{ text: string }>`select ${bodyTextExpr()} as text from api_requests
      where request_id = ${record?.requestId}`.execute(db.kysely)
  const t = performance.now()
  for (let i = 0; i < 5; i++) {
    const text = (await read()).rows[0]?.text
    if (text !== record?.bodyJson) throw new Error('the body read back differs from the one sent')
  }
  return (performance.now() - t) / 5
}

function summarize(backend: string, mode: string, r: Awaited<ReturnType<typeof runMode>>) {
  const sent = r.figures.reduce((n, f) => n + f.bodyKb * f.requests, 0)
  const avg = (from: number, to: number, key: 'cpuMs' | 'serverMs') => {
    const fs = r.figures.filter((f) => f.turn >= from && f.turn < to)
    return fs.reduce((n, f) => n + f[key], 0) / Math.max(1, fs.length)
  }
  const deciles = [1, 10, 25, 50, 75, 90].filter((t) => t < TURNS)
  const byTurn = deciles
    .map((t) => {
      const to = Math.min(TURNS, t + 10)
      return `${t}-${to - 1}: ${avg(t, to, 'cpuMs').toFixed(2)}+${avg(t, to, 'serverMs').toFixed(2)}`
    })
    .join('  ')
  console.log(
    `${backend} ${mode}${mode === 'saturation' ? '' : ' req/s'} sessions=${r.sessions} requests=${r.end.rows}` +
      ` sent=${fmt(sent)} KB unique=${fmt(r.end.unique / 1024)} KB on-disk=${fmt(r.end.disk / 1024)} KB` +
      ` (${(r.end.disk / r.end.unique).toFixed(2)}x unique), all stored, ${r.spooled} also spooled,` +
      ` median write ${r.writeMs.toFixed(1)} ms, last body (${fmt(r.figures.at(-1)?.bodyKb ?? 0)} KB) read back` +
      ` byte-exact in ${r.readMs.toFixed(1)} ms`,
  )
  console.log(
    `  continuing-turn CPU ms/request (process+server): ${avg(1, TURNS, 'cpuMs').toFixed(2)}+${avg(1, TURNS, 'serverMs').toFixed(2)}`,
  )
  console.log(`  by turn: ${byTurn}`)
  if (r.bytesAt.length > 1) {
    const steps = r.bytesAt.map((b, i) => {
      const prev = r.bytesAt[i - 1] ?? { turn: 0, disk: 0, unique: 0 }
      return `${b.turn}: ${fmt((b.disk - prev.disk) / 1024 / ((b.turn - prev.turn) * r.sessions))}`
    })
    console.log(`  on-disk KB per request, by turn: ${steps.join('  ')}`)
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

const rec = recorded()
const lines = sourceCorpus()
for (const backend of (values.backend ?? '').split(',')) {
  for (const mode of (values.modes ?? '').split(',')) {
    summarize(backend.trim(), mode.trim(), await runMode(backend.trim(), mode.trim(), rec, lines))
  }
}
