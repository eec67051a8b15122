import { createServer, type Server } from 'node:http'
import { createApp } from '../app.ts'
import type { Config } from '../config.ts'
import type { Log } from '../log.ts'
import { checkOpenRelay } from '../credentials/open-relay.ts'
import { secureDataDir } from '../db/data-dir-mode.ts'
import { prepareDashboardAccess, type DashboardAccess } from '../dashboard/auth/dashboard-access.ts'
import { listenProblem, StartupError } from './preflight.ts'
import { openDatabase } from './runtime.ts'
import { handleShutdownSignals } from './shutdown.ts'

export type ServeParts = { proxy: boolean; dashboard: boolean }

/** Runs the proxy and/or dashboard until SIGINT/SIGTERM, then drains storage and exits (src/cli/shutdown.ts). */
export async function serve(configured: Config, log: Log, parts: ServeParts, command: string) {
  let config = configured
  let access: DashboardAccess | undefined
  const dirWarning = secureDataDir(config.dataDir)
  if (dirWarning) {
    log.warn(dirWarning)
    console.error(`\n  WARNING: ${dirWarning}\n`)
  }
  if (parts.proxy) {
    // Before anything listens: an open relay for the domains' keys stops here.
    const relayWarning = await checkOpenRelay({
      host: config.host,
      credentialsDir: config.credentialsDir,
      ...config.proxy,
    })
    if (relayWarning) {
      log.warn(relayWarning)
      console.error(`\n  WARNING: ${relayWarning}\n`)
    }
  }
  if (parts.dashboard) {
    // Before anything opens or listens: an unprotected non-loopback bind stops here.
    access = await prepareDashboardAccess({
      ...config.dashboard,
      host: config.host,
      port: config.dashboardPort,
      dataDir: config.dataDir,
      now: Date.now(),
    })
    config = { ...config, dashboard: { ...config.dashboard, apiKey: access.apiKey } }
  }
  const embedded = command === 'start'
  const opened =
    config.storage.enabled || parts.dashboard
      ? await openDatabase(config, log, embedded ? {} : { requirePostgres: `nexus ${command}` })
      : null
  const app = createApp({ config, db: opened?.db ?? null, log })
  await app.start()
  const servers: Server[] = []
  if (parts.proxy) {
    const server = app.createProxyServer()
    server.requestTimeout = config.proxy.serverTimeoutMs
    server.keepAliveTimeout = 65_000
    servers.push(await listen(server, 'PORT', config.host, config.proxyPort))
    log.info(`proxy listening on http://${config.host}:${config.proxyPort}`)
  }
  if (parts.dashboard) {
    servers.push(
      await listen(
        createServer(app.dashboardListener),
        'DASHBOARD_PORT',
        config.host,
        config.dashboardPort,
      ),
    )
    log.info(`dashboard on http://${config.host}:${config.dashboardPort}`)
    // As the seed did: say whether Spark feedback will work, without showing the key.
    if (config.spark.apiKey) log.info('spark feedback on', { url: config.spark.baseUrl })
    else log.info('spark feedback off: SPARK_API_KEY not set')
    if (access) announceDashboard(access, log)
  }
  handleShutdownSignals({
    log,
    deadlineMs: config.shutdownTimeoutMs,
    async stop() {
      // Live streams first: an open dashboard tab would otherwise keep its server open.
      app.closeLiveStreams()
      await Promise.all(servers.map(closeServer))
      await app.stop()
      await opened?.close()
    },
    release: () => opened?.releaseLock(),
    exit: (code) => process.exit(code),
  })
}

/**
 * Stops listening and lets requests in flight finish. Keep-alive connections are closed as
 * soon as they are idle, also those whose stream ends after the signal: a client keeping its
 * connection open must not hold the shutdown up until the deadline (an MCP session's GET
 * stream, a finished SSE answer).
 */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50)
    server.close(() => {
      clearInterval(sweep)
      resolve()
    })
    server.closeIdleConnections()
  })
}

function listen(server: Server, name: string, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Taken between the preflight probe and now: still one line, not a stack trace.
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new StartupError(listenProblem(name, host, port, err))),
    )
    server.listen(port, host, () => resolve(server))
  })
}

/** The login link goes to stdout for the operator, never into the structured log. */
function announceDashboard(access: DashboardAccess, log: Log) {
  for (const warning of access.warnings) {
    log.warn(warning)
    console.error(`\n  WARNING: ${warning}\n`)
  }
  if (access.keySource === 'created') log.info('dashboard key created', { file: access.keyFile })
  if (!access.loginUrl) return
  const later = access.keyFile ? `the key in ${access.keyFile}` : 'DASHBOARD_API_KEY'
  console.log(`\n  Dashboard login (single use, 15 minutes): ${access.loginUrl}`)
  console.log(`  Later: \`nexus login-link\` for a new link, or log in with ${later}.\n`)
}
