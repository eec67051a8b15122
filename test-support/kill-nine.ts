import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sql } from 'kysely'
import { openPglite, openPostgres, type Backend, type Database } from '../src/db/database.ts'
import { MockAnthropic } from './mock-anthropic.ts'
import { testDatabaseUrl } from './test-database.ts'

// The default STORAGE_FLUSH_INTERVAL_MS, which the process runs with.
const FLUSH_INTERVAL_MS = 50

export interface KillNineOptions {
  backend: Backend
  requests: number
  concurrency: number
  /** The `nexus` entry to run; another checkout's measures that version. */
  bin?: string
  /** Size of each request's message text: the database's work per record. */
  bodyBytes?: number
  /** Time between the last response and the kill: the promise is one flush interval. */
  killAfterMs?: number
}

export interface KillNineResult {
  /** Requests answered 200 (body read to the end) before the kill. */
  completed: number
  /** Of those, how many are in the database after a restart. */
  stored: number
  missing: string[]
}

/**
 * Starts a real `nexus start` process, drives requests through it to completion, SIGKILLs it
 * right after the last response, starts it again on the same data directory and database,
 * waits for it to take in its spool, stops it, and counts the completed requests stored.
 */
export async function runKillNine(opts: KillNineOptions): Promise<KillNineResult> {
  const mock = new MockAnthropic()
  await mock.start()
  const dataDir = await mkdtemp(join(tmpdir(), 'nexus-kill9-'))
  const schema = `t_kill9_${randomBytes(5).toString('hex')}`
  const admin =
    opts.backend === 'postgres' ? openPostgres({ url: testDatabaseUrl(), maxConnections: 1 }) : null
  await admin?.exec(`create schema ${schema}`)
  const env = await processEnv(mock.url, dataDir, opts.backend === 'postgres' ? schema : null)
  const bin = resolve(opts.bin ?? 'bin/nexus.js')
  try {
    const first = await startNexus(bin, env)
    const ids = await drive(env.url, opts)
    await new Promise((r) => setTimeout(r, opts.killAfterMs ?? FLUSH_INTERVAL_MS))
    first.kill('SIGKILL')
    await exited(first)
    const second = await startNexus(bin, env)
    await settled(env.url)
    second.kill('SIGTERM')
    await exited(second)
    const stored = await storedIds(opts.backend, dataDir, schema, ids)
    return {
      completed: ids.length,
      stored: stored.size,
      missing: ids.filter((i) => !stored.has(i)),
    }
  } finally {
    await mock.close()
    await admin?.exec(`drop schema if exists ${schema} cascade`)
    await admin?.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function processEnv(upstream: string, dataDir: string, schema: string | null) {
  const [port, dashboardPort] = [await freePort(), await freePort()]
  const vars: Record<string, string> = {
    PORT: String(port),
    DASHBOARD_PORT: String(dashboardPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    CREDENTIALS_DIR: join(dataDir, 'credentials'),
    CLAUDE_API_BASE_URL: upstream,
    DASHBOARD_API_KEY: `dash-${randomBytes(12).toString('hex')}`,
    LOG_LEVEL: 'error',
  }
  if (schema) {
    const url = new URL(testDatabaseUrl())
    url.searchParams.set('options', `-c search_path=${schema}`)
    vars.DATABASE_URL = url.href
  }
  return { vars, url: `http://127.0.0.1:${port}` }
}

function startNexus(bin: string, env: { vars: Record<string, string>; url: string }) {
  // The embedded run must not pick up a DATABASE_URL from the caller's environment.
  const inherited = { ...process.env }
  delete inherited.DATABASE_URL
  const child = spawn(process.execPath, [bin, 'start'], {
    env: { ...inherited, ...env.vars },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`nexus exited with ${child.exitCode}`)
    const res = await fetch(`${env.url}/health/live`).catch(() => undefined)
    return res?.ok === true
  }).then(() => child)
}

async function drive(url: string, opts: KillNineOptions): Promise<string[]> {
  const text = 'x'.repeat(opts.bodyBytes ?? 8_000)
  const ids: string[] = []
  let next = 0
  const worker = async () => {
    while (next < opts.requests) {
      next++
      const res = await fetch(`${url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-api03-kill9' },
        body: JSON.stringify({
          model: 'claude-haiku-4-5',
          max_tokens: 10,
          messages: [{ role: 'user', content: `${next} ${text}` }],
        }),
      })
      await res.arrayBuffer()
      const id = res.headers.get('x-request-id')
      if (res.status === 200 && id) ids.push(id)
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, worker))
  return ids
}

// Replay is done when nothing waits in memory or on disk. A version without these figures
// in /health/ready is given a few retry intervals instead.
async function settled(url: string) {
  const started = Date.now()
  await waitUntil(async () => {
    const ready = (await (await fetch(`${url}/health/ready`)).json()) as {
      storage?: string
      queued?: number
      spoolBytes?: number
    }
    if (ready.spoolBytes === undefined) return Date.now() - started > 6_000
    return ready.storage === 'ok' && ready.queued === 0 && ready.spoolBytes === 0
  })
}

async function storedIds(backend: Backend, dataDir: string, schema: string, ids: string[]) {
  const db: Database =
    backend === 'pglite'
      ? openPglite(join(dataDir, 'pglite'))
      : openPostgres({ url: testDatabaseUrl(), schema, maxConnections: 1 })
  try {
    const rows = await sql<{ request_id: string }>`select request_id::text from api_requests
      where request_id = any(${ids}::uuid[])`.execute(db.kysely)
    return new Set(rows.rows.map((r) => r.request_id))
  } finally {
    await db.close()
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((r) => child.once('exit', () => r()))
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('nexus did not get there in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
