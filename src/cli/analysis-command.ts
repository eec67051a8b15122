import type { Config } from '../config.ts'
import { findAnalysis, regenerateAnalysis } from '../analysis/analysis-store.ts'
import type { AnalysisWorker } from '../analysis/analysis-worker.ts'
import { createAnalysisWorker, type AnalysisDeps } from '../analysis/create-analysis.ts'
import { failExceededJobs, queueStats, resetStuckJobs } from '../analysis/job-store.ts'
import { findConversation } from '../conversations/conversation-query-store.ts'
import { createCredentials } from '../credentials/create-credentials.ts'
import type { Database } from '../db/database.ts'
import type { Log } from '../log.ts'
import { readPriceTable } from '../usage/price-file.ts'
import { preflight } from './preflight.ts'
import { loadRuntimeConfig, openDatabase } from './runtime.ts'

export const ANALYSIS_USAGE = `nexus analysis <command>   (docs/analysis.md)

  jobs                        job counts by status and the oldest pending job
  reset-stuck                 return jobs stuck in processing past AI_WORKER_JOB_TIMEOUT_MINUTES
  fail-exceeded               fail pending jobs that used every attempt (AI_ANALYSIS_MAX_RETRIES)
  run <conversationId> [--branch <id>]
                              analyse one branch now (default main) and print the result
`

/** `nexus analysis …`; returns the exit code. */
export async function analysisCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (!sub || !['jobs', 'reset-stuck', 'fail-exceeded', 'run'].includes(sub)) {
    console.error(ANALYSIS_USAGE)
    return 2
  }
  const { config, log } = loadRuntimeConfig()
  await preflight(config, { command: `nexus analysis ${sub}`, database: true })
  const opened = await openDatabase(config, log)
  try {
    return await runSub(sub, rest, config, log, opened.db)
  } finally {
    await opened.close()
  }
}

async function runSub(sub: string, rest: string[], config: Config, log: Log, db: Database) {
  const now = new Date()
  const maxAttempts = config.analysis.maxRetries + 1
  switch (sub) {
    case 'jobs': {
      const { counts, oldestPendingAt } = await queueStats(db)
      for (const [status, n] of Object.entries(counts)) console.log(`${status.padEnd(11)} ${n}`)
      console.log(`oldest pending: ${oldestPendingAt ? oldestPendingAt.toISOString() : 'none'}`)
      return 0
    }
    case 'reset-stuck': {
      const staleBefore = new Date(now.getTime() - config.analysis.jobTimeoutMs)
      const r = await resetStuckJobs(db, staleBefore, maxAttempts, now)
      console.log(`requeued ${r.requeued}, failed ${r.failed}`)
      return 0
    }
    case 'fail-exceeded':
      console.log(`failed ${await failExceededJobs(db, maxAttempts, now)}`)
      return 0
    default:
      return runOne(rest, config, log, db)
  }
}

async function runOne(rest: string[], config: Config, log: Log, db: Database): Promise<number> {
  const [conversationId, flag, branch] = rest
  if (!conversationId || (flag !== undefined && (flag !== '--branch' || !branch))) {
    console.error(ANALYSIS_USAGE)
    return 2
  }
  const branchId = branch ?? 'main'
  const conversation = await findConversation(db, conversationId).catch(() => undefined)
  if (!conversation) {
    console.error(`No conversation ${conversationId}`)
    return 1
  }
  const worker = workerFor(config, log, db)
  if (!worker) {
    console.error(
      'No analysis provider is configured: set ANTHROPIC_API_KEY, AI_ANALYSIS_CLAUDE_DOMAIN or GEMINI_API_KEY.',
    )
    return 1
  }
  const key = { conversationId, branchId, domain: conversation.domain }
  if (!(await regenerateAnalysis(db, key, null, new Date()))) {
    console.error('A worker is analysing this branch right now; try again when it is done.')
    return 1
  }
  // Ticks until this job settles; jobs queued by others may run alongside (they are due too).
  for (;;) {
    await worker.tick()
    await worker.idle()
    const row = await findAnalysis(db, conversationId, branchId)
    if (row?.status === 'completed' || row?.status === 'failed') {
      console.log(JSON.stringify(row, null, 2))
      return row.status === 'completed' ? 0 : 1
    }
    await new Promise((r) => setTimeout(r, 1_000))
  }
}

/** The worker of this configuration, with the credential files for a domain's key. */
export function workerFor(
  config: Config,
  log: Log,
  db: Database,
  onChange?: AnalysisDeps['onChange'],
): AnalysisWorker | undefined {
  const credentials = createCredentials({
    dir: config.credentialsDir,
    tokenUrl: config.oauth.tokenUrl,
    clientId: config.oauth.clientId,
    enableClientAuth: false,
    fetch,
    clock: Date.now,
    log,
  })
  return createAnalysisWorker({
    config: config.analysis,
    db,
    log,
    priceTable: readPriceTable(config.usage.pricingFile),
    credentials,
    ...(onChange ? { onChange } : {}),
  })
}
