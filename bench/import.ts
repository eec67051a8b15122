// `nexus import` throughput and memory: 1,000 generated Claude Code sessions holding 100,000
// API messages (10% of them in sub-agent transcripts), imported into a fresh database.
//
//   node bin/run-ts.js bench/import.ts [--sessions=1000] [--messages=100] [--runs=3]
//                                      [--backends=pglite,postgres] [--postgres-url=…]
//
// Each import runs in its own process (the CLI's code path, minus argument parsing), so its
// peak RSS is the import's own: a streaming import stays flat however many files there are.
// Each run imports into a fresh database; the first also links and imports again. The host
// is shared, so besides wall time each run reports the CPU time it took per message: of this
// process (with PGlite's worker thread) and of its PostgreSQL backends, which other work on
// the machine does not inflate the way it does wall time.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import pg from 'pg'
import { openPglite, openPostgres, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { findTranscripts } from '../src/import/find-transcripts.ts'
import { createImportStore, linkImported } from '../src/import/import-store.ts'
import { importTranscripts } from '../src/import/import-transcripts.ts'
import { DEFAULT_PRICE_TABLE } from '../src/usage/price-table.ts'
import { costWith } from '../src/usage/request-cost.ts'

const { values: flags } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000' },
    messages: { type: 'string', default: '100' },
    backends: { type: 'string', default: 'pglite,postgres' },
    runs: { type: 'string', default: '3' },
    /** In a child: link and re-run after the import (the first run). */
    full: { type: 'boolean', default: false },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    child: { type: 'string' },
    backend: { type: 'string' },
    schema: { type: 'string' },
    /** Only write the transcripts into this folder (to import them by hand) and stop. */
    'generate-only': { type: 'string' },
  },
})

interface ChildResult {
  messages: number
  lines: number
  importMs: number
  /** CPU time of the import, µs per message: this process; its PostgreSQL backends. */
  nodeCpuUs: number
  postgresCpuUs: number
  linkMs: number | null
  rerunMs: number | null
  /** Peak RSS once the database was open and migrated (PGlite's own peak is there), after
   *  the import (before linking), and at the end. */
  baseRssMb: number
  importRssMb: number
  maxRssMb: number
}

if (flags.child) await runChild(flags.child)
else if (flags['generate-only']) {
  await generate(flags['generate-only'], Number(flags.sessions), Number(flags.messages))
} else await runParent()

async function runParent() {
  const sessions = Number(flags.sessions)
  const perSession = Number(flags.messages)
  const dir = await mkdtemp(join(tmpdir(), 'nexus-bench-import-'))
  try {
    const bytes = await generate(join(dir, 'projects'), sessions, perSession)
    console.log(
      `generated ${sessions} sessions, ${sessions * perSession} messages, ${(bytes / 1e6).toFixed(0)} MB of JSONL`,
    )
    for (const backend of (flags.backends ?? '').split(',').filter(Boolean)) {
      const runs: ChildResult[] = []
      for (let run = 0; run < Number(flags.runs); run++) {
        const load = loadavg()[0]?.toFixed(1)
        const r = await spawnChild(dir, backend, run === 0)
        runs.push(r)
        console.log(
          `${backend.padEnd(8)} import ${r.messages} messages (${r.lines} lines) in ${(r.importMs / 1000).toFixed(1)} s: ` +
            `${rate(r.messages, r.importMs)} messages/s (load ${load}); CPU per message ${r.nodeCpuUs} µs node` +
            (backend === 'postgres' ? ` + ${r.postgresCpuUs} µs PostgreSQL` : '') +
            (r.linkMs === null || r.rerunMs === null
              ? ''
              : `; linking ${(r.linkMs / 1000).toFixed(1)} s; re-run (nothing new) ${rate(r.messages, r.rerunMs)} messages/s`) +
            `; peak RSS ${r.baseRssMb} MB before, ${r.importRssMb} MB after importing, ${r.maxRssMb} MB at the end`,
        )
      }
      const median = runs.map((r) => rate(r.messages, r.importMs)).sort((a, b) => a - b)
      console.log(
        `${backend.padEnd(8)} median of ${runs.length}: ${median[Math.floor(runs.length / 2)]} messages/s`,
      )
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function rate(messages: number, ms: number): number {
  return Math.round(messages / (ms / 1000))
}

async function spawnChild(dir: string, backend: string, full: boolean): Promise<ChildResult> {
  const schema = `bench_import_${randomBytes(4).toString('hex')}`
  const args = ['bin/run-ts.js', 'bench/import.ts', `--child=${dir}`, `--backend=${backend}`]
  if (full) args.push('--full')
  if (backend === 'postgres') {
    const admin = new pg.Client(flags['postgres-url'])
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    await admin.end()
    args.push(`--schema=${schema}`, `--postgres-url=${flags['postgres-url']}`)
  }
  try {
    // The child's connections carry the schema as their name, to find their backends' CPU.
    const env = { ...process.env, PGAPPNAME: schema }
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    if (code !== 0) throw new Error(`the ${backend} import exited with ${code}`)
    return JSON.parse(out) as ChildResult
  } finally {
    if (backend === 'postgres') {
      const admin = new pg.Client(flags['postgres-url'])
      await admin.connect()
      await admin.query(`drop schema ${schema} cascade`)
      await admin.end()
    }
  }
}

async function runChild(dir: string) {
  let db: Database
  let dataDir: string | undefined
  if (flags.backend === 'postgres') {
    db = openPostgres({ url: flags['postgres-url'] ?? '', schema: flags.schema ?? '' })
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'nexus-bench-import-db-'))
    db = openPglite(dataDir)
  }
  try {
    await migrate(db)
    const baseRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
    const files = await findTranscripts([join(dir, 'projects')])
    const options = {
      store: createImportStore(db),
      costOf: costWith(DEFAULT_PRICE_TABLE),
      domain: 'bench-import',
      dryRun: false,
    }
    const backends = await backendCpu(db, {})
    const cpu = process.cpuUsage()
    let started = performance.now()
    const summary = await importTranscripts(files, options)
    const importMs = performance.now() - started
    const used = process.cpuUsage(cpu)
    const postgresCpuMs = sum(Object.values(await backendCpu(db, backends)))
    const importRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
    let linkMs: number | null = null
    let rerunMs: number | null = null
    if (flags.full) {
      started = performance.now()
      await linkImported(db)
      linkMs = performance.now() - started
      started = performance.now()
      await importTranscripts(files, options)
      rerunMs = performance.now() - started
    }
    const perMessage = (us: number) => Math.round(us / Math.max(summary.messages, 1))
    const result: ChildResult = {
      messages: summary.messages,
      lines: summary.lines,
      importMs,
      nodeCpuUs: perMessage(used.user + used.system),
      postgresCpuUs: perMessage(postgresCpuMs * 1000),
      linkMs,
      rerunMs,
      baseRssMb,
      importRssMb,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }
    process.stdout.write(JSON.stringify(result))
  } finally {
    await db.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }
}

// CPU milliseconds each PostgreSQL backend of this process has used since `since` (a backend
// not in it: since it started), from /proc: the server runs on this host. Empty on PGlite.
async function backendCpu(
  db: Database,
  since: Record<string, number>,
): Promise<Record<string, number>> {
  if (db.backend !== 'postgres') return {}
  const rows = await sql<{ pid: number }>`select pid from pg_stat_activity
    where application_name = current_setting('application_name')`.execute(db.kysely)
  const out: Record<string, number> = {}
  for (const { pid } of rows.rows) {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? []
    const ticks = Number(fields[11]) + Number(fields[12])
    out[pid] = ticks * 10 - (since[pid] ?? 0)
  }
  return out
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

// Sessions shaped like Claude Code 2.1 transcripts: a user turn, an attachment, the assistant
// response as a text line and a tool_use line (one message id), its tool result; every tenth
// session hands its last 10% of calls to a sub-agent with its own file.
async function generate(root: string, sessions: number, perSession: number): Promise<number> {
  let bytes = 0
  for (let s = 0; s < sessions; s++) {
    const session = uuid(s, 0)
    const project = join(root, `-home-dev-project-${s % 20}`)
    const sub = s % 10 === 0 ? Math.floor(perSession / 10) : 0
    await mkdir(join(project, session, 'subagents'), { recursive: true })
    const main = transcript(session, null, s, perSession - sub)
    await writeFile(join(project, `${session}.jsonl`), main)
    bytes += main.length
    if (sub > 0) {
      const agent = transcript(session, `a${String(s).padStart(16, '0')}`, s, sub)
      await writeFile(join(project, session, 'subagents', `agent-a${s}.jsonl`), agent)
      bytes += agent.length
    }
  }
  return bytes
}

function transcript(session: string, agentId: string | null, s: number, messages: number) {
  const lines: string[] = []
  const common = {
    sessionId: session,
    cwd: '/home/dev/project',
    version: '2.1.197',
    gitBranch: 'main',
    isSidechain: agentId !== null,
    ...(agentId ? { agentId } : {}),
  }
  let parent: string | null = null
  let n = 0
  const next = () => uuid(s, ++n + (agentId ? 1_000_000 : 0))
  const at = (i: number) => new Date(Date.UTC(2026, 2, 1) + s * 3_600_000 + i * 5_000).toISOString()
  for (let i = 0; i < messages; i++) {
    const u = next()
    const content =
      i === 0
        ? 'Please refactor the module and run the tests.'
        : [{ type: 'tool_result', tool_use_id: `toolu_${s}_${i - 1}`, content: 'x'.repeat(600) }]
    lines.push(
      JSON.stringify({
        ...common,
        parentUuid: parent,
        type: 'user',
        message: { role: 'user', content },
        uuid: u,
        timestamp: at(i),
      }),
    )
    const id = `msg_${agentId ?? 'main'}_${s}_${i}`
    const usage = {
      input_tokens: 10 + i,
      cache_creation_input_tokens: 500,
      cache_read_input_tokens: 20_000 + i * 400,
      output_tokens: 120,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 500 },
      service_tier: 'standard',
    }
    const a1 = next()
    const a2 = next()
    const message = (block: object) => ({
      id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [block],
      stop_reason: null,
      usage,
    })
    lines.push(
      JSON.stringify({
        ...common,
        parentUuid: u,
        type: 'assistant',
        message: message({
          type: 'text',
          text: 'I will look at the file and then run the tests. '.repeat(4),
        }),
        requestId: `req_${id}`,
        uuid: a1,
        timestamp: at(i),
      }),
    )
    lines.push(
      JSON.stringify({
        ...common,
        parentUuid: a1,
        type: 'assistant',
        message: message({
          type: 'tool_use',
          id: `toolu_${s}_${i}`,
          name: 'Bash',
          input: { command: 'npm test', description: 'Run the tests' },
        }),
        requestId: `req_${id}`,
        uuid: a2,
        timestamp: at(i),
      }),
    )
    parent = a2
  }
  return lines.join('\n') + '\n'
}

function uuid(s: number, n: number): string {
  const hex = (s * 10_000_000 + n).toString(16).padStart(32, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
