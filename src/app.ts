import { join } from 'node:path'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import type { Config } from './config.ts'
import type { Database } from './db/database.ts'
import type { Log } from './log.ts'
import { createCredentials } from './credentials/create-credentials.ts'
import { parseDomain } from './credentials/domain.ts'
import { controlRoutes } from './proxy/control-routes.ts'
import { refusedFromHeaders } from './proxy/early-refusal.ts'
import { createProxyHandler } from './proxy/proxy-handler.ts'
import { ProxyMetrics } from './proxy/proxy-metrics.ts'
import { recordExchange } from './proxy/record-exchange.ts'
import { deriveRequestFacts } from './proxy/derive-facts.ts'
import { createUpstream, type Upstream } from './proxy/upstream.ts'
import type { Exchange } from './proxy/exchange.ts'
import { createDashboard } from './dashboard/dashboard-app.tsx'
import { createDashboardLive } from './dashboard/live/dashboard-live.ts'
import { migrationsApplied } from './db/migrate.ts'
import { healthRoutes } from './monitoring/health-routes.ts'
import { metricsRoute } from './monitoring/metrics-route.ts'
import { NexusMetrics } from './monitoring/nexus-metrics.ts'
import { createRecordStore, pingDatabase } from './storage/request-store.ts'
import { Quarantine } from './storage/quarantine.ts'
import { Spool } from './storage/spool.ts'
import { StorageWriter } from './storage/storage-writer.ts'
import { startStorageMaintenance } from './storage/storage-maintenance.ts'
import { ConversationLinker } from './conversations/conversation-linker.ts'
import { linkerLagSeconds } from './conversations/linker-lag-store.ts'
import { conversationRoutes } from './conversations/conversation-routes.ts'
import { createConversationStore } from './conversations/conversation-store.ts'
import { SlackNotifier } from './notify/slack-notifier.ts'
import { createSparkClient } from './spark/spark-client.ts'
import { slackTarget } from './notify/slack-target.ts'
import { readPriceTable } from './usage/price-file.ts'
import type { PriceTable } from './usage/price-table.ts'
import { costWith } from './usage/request-cost.ts'
import { maintainTokenUsagePartitions } from './usage/token-usage-partitions-store.ts'
import { usageRoutes } from './usage/usage-routes.ts'
import { createMcp, type Mcp } from './mcp/create-mcp.ts'
import { createAnalysisWorker } from './analysis/create-analysis.ts'
import type { AnalysisWorker } from './analysis/analysis-worker.ts'

export interface AppDeps {
  config: Config
  /** Null when storage is disabled. */
  db: Database | null
  log: Log
  clock?: () => number
  fetch?: typeof fetch
  upstream?: Upstream
  /** Defaults to the built-in table with config.usage.pricingFile applied. */
  priceTable?: PriceTable
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void

export interface App {
  proxyListener: Listener
  /** An HTTP server for the proxy port that refuses what it can before asking for a body. */
  createProxyServer(): Server
  dashboardListener: Listener
  writer: StorageWriter | null
  metrics: ProxyMetrics
  /** Null when MCP is off (MCP_ENABLED, or no prompts directory). */
  mcp: Mcp | null
  /** Prometheus metrics; null with METRICS_ENABLED=false. */
  prometheus: NexusMetrics | null
  /** The AI analysis worker: null without a provider or with AI_WORKER_ENABLED=false. */
  analysisWorker: AnalysisWorker | null
  /** Starts background loops (storage writer, spool replay). The CLI calls this. */
  start(): Promise<void>
  /** Ends the dashboard's live streams (a `shutdown` event each): call before closing servers. */
  closeLiveStreams(): void
  /** Writes out everything queued and releases connections. Servers are closed by the caller. */
  stop(): Promise<void>
}

/** The composition root: builds every part from its dependencies and listens nowhere. */
export function createApp(deps: AppDeps): App {
  const { config, db, log } = deps
  const clock = deps.clock ?? Date.now
  const upstream =
    deps.upstream ??
    createUpstream({
      baseUrl: config.upstream.baseUrl,
      connections: config.upstream.connections,
      timeoutMs: config.upstream.timeoutMs,
    })
  const metrics = new ProxyMetrics()
  const priceTable = deps.priceTable ?? readPriceTable(config.usage.pricingFile)
  const storing = db !== null && config.storage.enabled
  // Built first: the writer and the OAuth refresher report into it; it reads them at scrape.
  const prometheus: NexusMetrics | null = config.metrics.enabled
    ? new NexusMetrics({
        domainLabels: config.metrics.domainLabels,
        priceTable,
        inFlight: () => metrics.inFlight,
        storage: storing ? () => writer!.stats() : null,
        linkerLag: db ? () => linkerLagSeconds(db, clock()) : null,
      })
    : null
  const credentials = createCredentials({
    dir: config.credentialsDir,
    tokenUrl: config.oauth.tokenUrl,
    clientId: config.oauth.clientId,
    enableClientAuth: config.proxy.enableClientAuth,
    fetch: deps.fetch ?? fetch,
    clock,
    log,
    ...(prometheus ? { onRefresh: (outcome) => prometheus.observeRefresh(outcome) } : {}),
  })
  const spool = new Spool(join(config.dataDir, 'spool'))
  const quarantine = new Quarantine(join(config.dataDir, 'quarantine'))
  const live = createDashboardLive({ db, databaseUrl: config.databaseUrl, log })
  // Links stored requests into conversations in the background, never on the request path.
  const linker = db ? new ConversationLinker({ store: createConversationStore(db), log }) : null
  const writer: StorageWriter | null = storing
    ? new StorageWriter({
        store: createRecordStore(db),
        spool,
        quarantine,
        log,
        settings: config.storage,
        onStored: (records) => {
          live.stored(records)
          linker?.wake()
        },
        ...(prometheus ? { onWrite: (ms: number) => prometheus.observeWrite(ms) } : {}),
      })
    : null
  const costOf = costWith(priceTable)
  const analysisWorker =
    db && config.analysis.workerEnabled
      ? (createAnalysisWorker({
          config: config.analysis,
          db,
          log,
          clock,
          priceTable,
          credentials,
          onChange: ({ conversationId, branchId, domain }, status) =>
            live.publish({ type: 'analysis', conversationId, branchId, domain, status }),
        }) ?? null)
      : null
  const slack = new SlackNotifier({
    fetch: deps.fetch ?? fetch,
    log,
    clock,
    timeoutMs: config.slack.timeoutMs,
  })

  const record = (ex: Exchange) => {
    metrics.inFlight--
    metrics.observe(ex.end)
    const slackTo = slackTarget(config.slack, ex.slack)
    if (!writer && !slackTo && !prometheus) return
    // Parsing and decoding wait until the client has been answered.
    setImmediate(() => {
      const built = buildRecord(ex)
      prometheus?.observeRequest(built)
      writer?.enqueue(built)
      if (slackTo) slack.notify(built, slackTo)
    })
  }
  const buildRecord = (ex: Exchange) => {
    try {
      return recordExchange(ex, deriveRequestFacts, config.storage.storeStreamingChunks, costOf)
    } catch (err) {
      log.error('could not build the stored record; storing it without bodies', { error: err })
      return recordExchange(
        { ...ex, requestBody: null, chunks: [] },
        deriveRequestFacts,
        false,
        costOf,
      )
    }
  }

  const proxy = createProxyHandler({
    upstream,
    resolveAuth: (domain, headers) => credentials.resolveUpstreamAuth(domain, headers),
    parseDomain,
    record,
    log,
    settings: {
      maxRequestBytes: config.proxy.maxRequestBytes,
      timeoutMs: config.upstream.timeoutMs,
    },
  })
  // Prompts over MCP on the proxy port, behind the domains' client keys (docs/mcp.md).
  const mcp = createMcp({
    config: config.mcp,
    dataDir: config.dataDir,
    credentialStore: credentials.store,
    log,
    fetch: deps.fetch ?? fetch,
  })
  const health = (needsDatabase: boolean) =>
    healthRoutes({
      ping: db ? () => pingDatabase(db) : null,
      migrationsApplied: db ? () => migrationsApplied(db) : null,
      storage: writer ? () => writer.stats() : null,
      needsDatabase,
    })
  const scrape = prometheus
    ? metricsRoute({
        render: () => prometheus.renderChunks(),
        token: config.metrics.token,
        host: config.host,
      })
    : null
  const dashboard = createDashboard({
    db,
    log,
    clock,
    dataDir: config.dataDir,
    credentialsDir: config.credentialsDir,
    credentialStore: credentials.store,
    apiKey: config.dashboard.apiKey,
    readOnly: config.dashboard.readOnly,
    trustProxy: config.dashboard.trustProxy,
    live,
    prompts: mcp?.promptsPage,
    monitoring: new Hono().route('/', health(true)).route('/', scrape ?? new Hono()),
    analysis: {
      rateLimit: config.analysis.rateLimit,
      workerConfigured: config.analysis.provider !== undefined,
      onQueued: (key) => {
        live.publish({ type: 'analysis', ...key, status: 'pending' })
        analysisWorker?.wake()
      },
    },
    spark: createSparkClient(config.spark, deps.fetch ?? fetch),
  })
  // The JSON APIs on the proxy port, behind the dashboard's keys and sessions.
  const api = new Hono()
    .route('/', usageRoutes({ db, clock, log, auth: dashboard.apiGuard }))
    .route('/', conversationRoutes({ db, log, auth: dashboard.apiGuard }))
  if (mcp) api.route('/', mcp.routes.app)
  const control = getRequestListener(
    controlRoutes({ health: health(false), metrics: scrape, usage: api }).fetch,
  )
  let partitions: { ready: Promise<void>; stop(): void } | undefined
  let maintenance: { stop(): Promise<void> } | undefined
  const proxyListener: Listener = (req, res) => {
    if (req.url?.startsWith('/v1/')) {
      metrics.inFlight++
      proxy(req, res)
    } else {
      void control(req, res)
    }
  }

  return {
    proxyListener,
    createProxyServer() {
      const server = createServer(proxyListener)
      // Node answers `Expect: 100-continue` itself unless told otherwise; deciding 413 and 415
      // from the headers first spares a client the upload of a body that would be refused.
      server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
        if (!refusedFromHeaders(req, config.proxy.maxRequestBytes)) res.writeContinue()
        server.emit('request', req, res)
      })
      return server
    },
    dashboardListener: getRequestListener(dashboard.app.fetch),
    writer,
    metrics,
    mcp,
    prometheus,
    analysisWorker,
    async start() {
      await mcp?.start()
      await live.start()
      linker?.start()
      analysisWorker?.start()
      if (!writer || !db) return
      partitions = maintainTokenUsagePartitions(db, clock, (err) =>
        log.error('could not create token_usage partitions; rows go to the default partition', {
          error: err,
        }),
      )
      await spool.init()
      await quarantine.init()
      writer.start()
      maintenance = startStorageMaintenance({
        db,
        log,
        retentionDays: config.storage.retentionDays,
        clock,
      })
    },
    closeLiveStreams() {
      live.bus.close()
      void mcp?.routes.close()
    },
    async stop() {
      live.bus.close()
      await mcp?.stop()
      partitions?.stop()
      await partitions?.ready
      await maintenance?.stop()
      await writer?.drain()
      await linker?.stop()
      await analysisWorker?.stop()
      await live.stop()
      await slack.drain()
      await upstream.close()
    },
  }
}
