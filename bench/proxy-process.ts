// The proxy under test, alone in its process, built exactly as `nexus start` / `nexus proxy`
// build it (createApp + openDatabase + a node:http server with the same timeouts).
//
//   node bin/run-ts.js bench/proxy-process.ts --upstream=http://127.0.0.1:PORT \
//     [--database-url=postgres://…]   (PostgreSQL; default: embedded PGlite in a temp dir)
//
// Prints `PORT <n>`. Under the benchmark it also answers calls over IPC: begin/sample
// (CPU, event-loop delay, memory), count/storage (rows stored per domain) and shutdown.
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { createApp } from '../src/app.ts'
import { openDatabase } from '../src/cli/runtime.ts'
import { loadConfig } from '../src/config.ts'
import { createLog } from '../src/log.ts'
import { queueStats } from '../src/analysis/job-store.ts'
import { queueBranchAnalyses } from './analysis-seed.ts'
import { serveParent } from './child.ts'
import { processStats } from './process-stats.ts'

const { values: args } = parseArgs({
  options: {
    upstream: { type: 'string' },
    'database-url': { type: 'string' },
    port: { type: 'string', default: '0' },
    'storage-enabled': { type: 'string', default: 'true' },
    // The AI analysis worker in this process too (as `nexus start` runs it), its model here.
    'analysis-url': { type: 'string' },
  },
})
if (!args.upstream) {
  console.error('usage: proxy-process.ts --upstream=URL [--database-url=URL] [--port=N]')
  process.exit(2)
}

const stats = processStats()
const dataDir = await mkdtemp(join(tmpdir(), 'nexus-bench-data-'))
const credentialsDir = await mkdtemp(join(tmpdir(), 'nexus-bench-creds-'))
const config = loadConfig({
  CLAUDE_API_BASE_URL: args.upstream,
  DATABASE_URL: args['database-url'],
  DATA_DIR: dataDir,
  CREDENTIALS_DIR: credentialsDir,
  STORAGE_ENABLED: args['storage-enabled'],
  // PORT must be a real port; 0 (any free port) is the bench's default, given to listen().
  PORT: args.port === '0' ? undefined : args.port,
  LOG_LEVEL: 'warn',
  ...(args['analysis-url']
    ? {
        ANTHROPIC_API_KEY: 'sk-ant-api03-benchbenchbenchbench',
        AI_ANALYSIS_CLAUDE_BASE_URL: args['analysis-url'],
        AI_WORKER_MAX_CONCURRENT_JOBS: '4',
      }
    : { AI_WORKER_ENABLED: 'false' }),
})
const log = createLog(config.logLevel)
const opened = config.storage.enabled ? await openDatabase(config, log) : null
const app = createApp({ config, db: opened?.db ?? null, log })
await app.start()
const server = app.createProxyServer()
server.requestTimeout = config.proxy.serverTimeoutMs
server.keepAliveTimeout = 65_000
await new Promise<void>((resolve) =>
  server.listen(args.port === '0' ? 0 : config.proxyPort, config.host, resolve),
)

export interface StorageCount {
  domain: string
  rows: number
  /** Rows by how the exchange ended (done, client_abort, …). */
  ends: Record<string, number>
  non2xx: number
  streamed: number
  chunks: number
}

async function storage(domains: string[]): Promise<StorageCount[]> {
  const db = opened?.db
  if (!db)
    return domains.map((domain) => ({
      domain,
      rows: 0,
      ends: {},
      non2xx: 0,
      streamed: 0,
      chunks: 0,
    }))
  const out: StorageCount[] = []
  for (const domain of domains) {
    const rows = await sql<{ stream_end: string | null; n: number; bad: number; streamed: number }>`
      select stream_end, count(*)::int as n,
             count(*) filter (where status_code is null or status_code >= 300)::int as bad,
             count(*) filter (where is_streaming)::int as streamed
      from api_requests where domain = ${domain} group by stream_end`.execute(db.kysely)
    const chunks = await sql<{ n: number }>`
      select count(*)::int as n from streaming_chunks c
      join api_requests r on r.request_id = c.request_id where r.domain = ${domain}`.execute(
      db.kysely,
    )
    const ends: Record<string, number> = {}
    for (const r of rows.rows) ends[r.stream_end ?? 'none'] = r.n
    out.push({
      domain,
      rows: rows.rows.reduce((n, r) => n + r.n, 0),
      ends,
      non2xx: rows.rows.reduce((n, r) => n + r.bad, 0),
      streamed: rows.rows.reduce((n, r) => n + r.streamed, 0),
      chunks: chunks.rows[0]?.n ?? 0,
    })
  }
  return out
}

/** Rows stored for one domain: cheap enough to poll while the writer catches up. */
async function count(domain: string): Promise<number> {
  const db = opened?.db
  if (!db) return 0
  const r = await sql<{
    n: number
  }>`select count(*)::int as n from api_requests where domain = ${domain}`.execute(db.kysely)
  return r.rows[0]?.n ?? 0
}

export interface MemoryBreakdown {
  /** The main thread's V8 heap and off-heap buffers (Buffers, ArrayBuffers), MB. */
  mainHeapMb: number
  mainExternalMb: number
  /** The PGlite worker thread's V8 heap, its buffers, and its WebAssembly memory, MB. */
  workerHeapMb: number
  workerExternalMb: number
  wasmMb: number
  /** Records waiting in the storage writer's queue. */
  queued: number
}

async function memory(): Promise<MemoryBreakdown> {
  const mb = (bytes: number) => bytes / 1024 / 1024
  const main = process.memoryUsage()
  const worker = await opened?.db.memory?.()
  return {
    mainHeapMb: mb(main.heapUsed),
    mainExternalMb: mb(main.external),
    workerHeapMb: mb(worker?.heapUsed ?? 0),
    workerExternalMb: mb(worker?.external ?? 0),
    wasmMb: mb(worker?.wasm ?? 0),
    queued: app.writer?.stats().queued ?? 0,
  }
}

async function shutdown() {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await app.stop()
  await opened?.close()
  await rm(dataDir, { recursive: true, force: true })
  await rm(credentialsDir, { recursive: true, force: true })
}

serveParent(
  (server.address() as AddressInfo).port,
  {
    begin: () => stats.begin(),
    sample: () => ({
      ...stats.sample(),
      writer: app.writer?.stats() ?? null,
      requests: app.metrics.requests,
    }),
    count: (domain: string) => count(domain),
    memory: () => memory(),
    storage: (domains: string[]) => storage(domains),
    backend: () => opened?.db.backend ?? 'none',
    queueAnalyses: async (options: { branches: number; turns: number }) => {
      if (!opened) throw new Error('analyses need storage')
      await queueBranchAnalyses(opened.db, { ...options, domain: 'analysis.bench' })
      app.analysisWorker?.wake()
    },
    analysisCounts: async () => (opened ? (await queueStats(opened.db)).counts : null),
  },
  shutdown,
)
