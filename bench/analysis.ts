// AI analysis figures, standalone (not part of `npm run bench`):
//
//   node bin/run-ts.js bench/analysis.ts [--requests=2000] [--jobs=200]
//
// 1. Building the model input of one conversation branch of N requests, on PGlite: listing the
//    branch, reading the bodies that carry its history, transcript, redaction, budget, prompt.
//    Only the bodies of the last request of each stretch are read (docs/analysis.md), so the
//    other requests are stored with a one-message stub body; the last one carries the whole
//    history (2 × N messages).
// 2. Worker throughput: queued jobs run against a loopback Messages API answering at once,
//    4 concurrent jobs, one worker.
// 3. The proxy's own traffic while the worker runs: the proxy and the worker in one process
//    (as `nexus start` runs them, embedded PGlite), the Anthropic stand-in in another, an
//    open-loop load of non-streaming requests at --rate req/s for --load-seconds per phase:
//    idle worker → worker draining queued analyses (--busy-jobs branches of --turns turns) →
//    idle again. The two idle phases show the noise; the busy one must not stand out.
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openPglite } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { silentLog } from '../src/log.ts'
import { DEFAULT_PRICE_TABLE } from '../src/usage/price-table.ts'
import { buildPrompt } from '../src/analysis/analysis-prompt.ts'
import { requestAnalysis } from '../src/analysis/analysis-store.ts'
import { AnalysisWorker } from '../src/analysis/analysis-worker.ts'
import { loadBranchSegments } from '../src/analysis/branch-input-store.ts'
import { claudeProvider } from '../src/analysis/claude-provider.ts'
import { fitToBudget } from '../src/analysis/fit-budget.ts'
import { queueStats } from '../src/analysis/job-store.ts'
import { analysisRunner } from '../src/analysis/run-analysis.ts'
import { buildTranscript } from '../src/analysis/transcript.ts'
import { analysisJson, anthropicMessage, ScriptedServer } from '../src/analysis/test-support.ts'
import { startChild } from './child.ts'
import { runLoad, type LoadResult } from './load.ts'
import type { ProcessSample } from './process-stats.ts'
import { num, table } from './report.ts'
import { requestBody } from './workload.ts'
import { benchHistory } from './analysis-seed.ts'

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    jobs: { type: 'string', default: '200' },
    rate: { type: 'string', default: '100' },
    'load-seconds': { type: 'string', default: '10' },
    'busy-jobs': { type: 'string', default: '1500' },
    turns: { type: 'string', default: '50' },
  },
})
const N = Number(values.requests)
const JOBS = Number(values.jobs)

const db = openPglite(undefined)
await migrate(db)
const conversationId = randomUUID()
const history = benchHistory(N)
const rows = Array.from({ length: N }, (_, i) => ({
  request_id: i === 0 ? conversationId : randomUUID(),
  timestamp: new Date(Date.now() - (N - i) * 1000).toISOString(),
  domain: 'bench.test',
  method: 'POST',
  path: '/v1/messages',
  request_type: 'inference',
  conversation_id: conversationId,
  branch_id: 'main',
  message_count: 2 * i + 1,
  body: JSON.stringify({ messages: i === N - 1 ? history.slice(0, -1) : [history[0]] }),
  response_body: i === N - 1 ? JSON.stringify(history.at(-1)) : null,
}))
for (let i = 0; i < rows.length; i += 500)
  await db.kysely
    .insertInto('api_requests')
    .values(rows.slice(i, i + 500))
    .execute()
await db.kysely
  .insertInto('conversations')
  .values({
    conversation_id: conversationId,
    domain: 'bench.test',
    account_id: null,
    started_at: new Date(),
    last_at: new Date(),
    request_count: N,
    message_count: 2 * N,
    total_tokens: 0,
    models: [],
    branch_count: 1,
    compact_count: 0,
    spawn_count: 0,
    subtask_count: 0,
  })
  .execute()

const times: number[] = []
let promptChars = 0
const heapBefore = process.memoryUsage().heapUsed
let heapPeak = heapBefore
for (let run = 0; run < 7; run++) {
  const t0 = performance.now()
  const segments = await loadBranchSegments(db, conversationId, 'main')
  const fitted = fitToBudget(buildTranscript(segments), { maxTokens: 100_000, headTokens: 20_000 })
  promptChars = buildPrompt(fitted, null).messages[0]!.text.length
  times.push(performance.now() - t0)
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
}
times.sort((a, b) => a - b)
console.log(
  `input of a ${N}-request branch: median ${times[3]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (7 runs, target ≤ 200 ms); prompt ${promptChars} chars; heap growth ≤ ${((heapPeak - heapBefore) / 1e6).toFixed(1)} MB`,
)

const claude = new ScriptedServer()
claude.replies = [anthropicMessage(analysisJson())]
const url = await claude.start()
for (let i = 0; i < JOBS; i++) {
  await requestAnalysis(
    db,
    { conversationId, branchId: `b${i}`, domain: 'bench.test' },
    null,
    new Date(0),
  )
  await db.kysely
    .updateTable('api_requests')
    .set({ branch_id: `b${i}` })
    .where('request_id', '=', rows[(i % (N - 1)) + 1]!.request_id)
    .execute()
}
// Small branches: each job reads one short request (throughput of the queue, not of input building).
const worker = new AnalysisWorker({
  db,
  log: silentLog,
  settings: { pollIntervalMs: 5, maxConcurrentJobs: 4, jobTimeoutMs: 600_000, maxRetries: 0 },
  run: analysisRunner({
    db,
    provider: claudeProvider({
      baseUrl: url,
      model: 'claude-sonnet-4-6',
      timeoutMs: 10_000,
      authHeaders: async () => ({ 'x-api-key': 'bench' }),
    }),
    priceTable: DEFAULT_PRICE_TABLE,
    budget: { maxTokens: 100_000, headTokens: 20_000 },
    maxOutputTokens: 2_000,
  }),
})
const t0 = performance.now()
worker.start()
for (;;) {
  const { counts } = await queueStats(db)
  if (counts.completed + counts.failed >= JOBS) {
    const s = (performance.now() - t0) / 1000
    console.log(
      `worker: ${JOBS} analyses in ${s.toFixed(2)} s = ${(JOBS / s).toFixed(1)} analyses/s with 4 concurrent jobs (target ≥ 20/s); completed ${counts.completed}, failed ${counts.failed}`,
    )
    break
  }
  await new Promise((r) => setTimeout(r, 20))
}
await worker.stop()
await claude.close()
await db.close()

// 3. Proxy latency with and without the worker running.
const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const RATE = Number(values.rate)
const LOAD_S = Number(values['load-seconds'])
type Counts = { pending: number; processing: number; completed: number; failed: number }
const model = new ScriptedServer()
model.replies = [anthropicMessage(analysisJson())]
const modelUrl = await model.start()
const mock = await startChild(join(BENCH_DIR, 'mock-process.ts'), [], { label: 'mock' })
const proxy = await startChild(
  join(BENCH_DIR, 'proxy-process.ts'),
  [`--upstream=http://127.0.0.1:${mock.port}`, `--analysis-url=${modelUrl}`],
  { label: 'proxy' },
)
const load = (host: string, durationS = LOAD_S) =>
  phase(() =>
    runLoad({
      target: `http://127.0.0.1:${proxy.port}`,
      host,
      body: requestBody(false),
      durationS,
      connections: 32,
      rate: RATE,
    }),
  )
// The proxy process's event-loop delay and main-thread CPU over the phase: a loop blocked by
// the worker shows as lag; a host short of CPU shows as latency without it.
async function phase(run: () => Promise<LoadResult>) {
  await proxy.call('begin')
  const result = await run()
  return { ...result, process: await proxy.call<ProcessSample>('sample') }
}
const counts = () => proxy.call<Counts>('analysisCounts')
await load('warmup.bench', 3)
const idle1 = await load('idle-1.bench')
await proxy.call('queueAnalyses', {
  branches: Number(values['busy-jobs']),
  turns: Number(values.turns),
})
const before = await counts()
const busyStart = performance.now()
const busy = await load('busy.bench')
const busyS = (performance.now() - busyStart) / 1000
const during = await counts()
const drainStart = performance.now()
for (;;) {
  const c = await counts()
  if (c.pending + c.processing === 0) break
  await new Promise((r) => setTimeout(r, 200))
}
const drainS = (performance.now() - drainStart) / 1000
const idle2 = await load('idle-2.bench')
const done = await counts()
await proxy.stop()
await mock.stop()
await model.close()

const row = (name: string, r: LoadResult & { process: ProcessSample }) => [
  name,
  num(r.reqPerSec, 0),
  num(r.latency.p50),
  num(r.latency.p99),
  num(r.latencyFromSchedule?.p99),
  num(r.latency.max, 0),
  `${r.non2xx} / ${r.errors}`,
  `${num(r.process.lag.p99)} / ${num(r.process.lag.max, 0)}`,
  num(r.process.mainThreadCpuMs === null ? null : r.process.mainThreadCpuMs / (r.elapsedS * 10), 0),
]
const analysed = during.completed + during.failed - (before.completed + before.failed)
console.log(
  `\nproxy latency (ms) at ${RATE} req/s open loop, ${LOAD_S} s per phase, proxy + worker in one process (PGlite):`,
)
console.log(
  table(
    [
      'phase',
      'req/s',
      'p50',
      'p99',
      'p99 from schedule',
      'max',
      'non-2xx / errors',
      'loop lag p99 / max',
      'main thread CPU %',
    ],
    [
      row('worker idle', idle1),
      row(`worker busy (${(analysed / busyS).toFixed(1)} analyses/s)`, busy),
      row('worker idle again', idle2),
    ],
    [0],
  ),
)
console.log(
  `during the busy phase: ${analysed} analyses in ${busyS.toFixed(1)} s, ${during.pending + during.processing} still queued at its end (busy throughout: ${during.pending + during.processing > 0}); all: completed ${done.completed}, failed ${done.failed}`,
)
const drained = done.completed + done.failed - (during.completed + during.failed)
console.log(
  `after it, without proxy load: ${drained} analyses in ${drainS.toFixed(1)} s = ${(drained / drainS).toFixed(1)} analyses/s (same process, 4 concurrent jobs; target ≥ 20/s)`,
)
