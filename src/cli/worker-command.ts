import { createDashboardLive } from '../dashboard/live/dashboard-live.ts'
import { workerFor } from './analysis-command.ts'
import { preflight, StartupError } from './preflight.ts'
import { loadRuntimeConfig, openDatabase } from './runtime.ts'
import { handleShutdownSignals } from './shutdown.ts'

/** `nexus worker`: the analysis worker alone, on PostgreSQL, until SIGINT/SIGTERM. */
export async function workerCommand(): Promise<void> {
  const { config, log } = loadRuntimeConfig()
  await preflight(config, { command: 'nexus worker', database: true, postgresOnly: true })
  const opened = await openDatabase(config, log, { requirePostgres: 'nexus worker' })
  const live = createDashboardLive({ db: opened.db, databaseUrl: config.databaseUrl, log })
  const worker = workerFor(config, log, opened.db, (job, status) =>
    live.publish({
      type: 'analysis',
      conversationId: job.conversationId,
      branchId: job.branchId,
      domain: job.domain,
      status,
    }),
  )
  if (!worker) {
    await opened.close()
    throw new StartupError(
      'nexus worker: no analysis provider is configured (ANTHROPIC_API_KEY, AI_ANALYSIS_CLAUDE_DOMAIN or GEMINI_API_KEY).',
    )
  }
  await live.start()
  worker.start()
  log.info('analysis worker started', { id: worker.id, provider: config.analysis.provider })
  handleShutdownSignals({
    log,
    deadlineMs: config.shutdownTimeoutMs,
    async stop() {
      await worker.stop()
      await live.stop()
      await opened.close()
    },
    release: () => opened.releaseLock(),
    exit: (code) => process.exit(code),
  })
}
