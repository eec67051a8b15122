import { join } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { Config } from './config.ts'
import type { Database } from './db/database.ts'
import type { Log } from './log.ts'
import { createCredentials } from './credentials/create-credentials.ts'
import { parseDomain } from './credentials/domain.ts'
import { controlRoutes } from './proxy/control-routes.ts'
import { createProxyHandler } from './proxy/proxy-handler.ts'
import { ProxyMetrics } from './proxy/proxy-metrics.ts'
import { recordExchange } from './proxy/record-exchange.ts'
import { deriveRequestFacts } from './proxy/derive-facts.ts'
import { createUpstream, type Upstream } from './proxy/upstream.ts'
import type { Exchange } from './proxy/exchange.ts'
import { dashboardApp } from './dashboard/dashboard-app.tsx'
import { createRecordStore, pingDatabase } from './storage/request-store.ts'
import { Spool } from './storage/spool.ts'
import { StorageWriter } from './storage/storage-writer.ts'

export interface AppDeps {
  config: Config
  /** Null when storage is disabled. */
  db: Database | null
  log: Log
  clock?: () => number
  fetch?: typeof fetch
  upstream?: Upstream
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void

export interface App {
  proxyListener: Listener
  dashboardListener: Listener
  writer: StorageWriter | null
  metrics: ProxyMetrics
  /** Starts background loops (storage writer, spool replay). The CLI calls this. */
  start(): Promise<void>
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
  const credentials = createCredentials({
    dir: config.credentialsDir,
    tokenUrl: config.oauth.tokenUrl,
    clientId: config.oauth.clientId,
    enableClientAuth: config.proxy.enableClientAuth,
    fetch: deps.fetch ?? fetch,
    clock,
    log,
  })
  const spool = new Spool(join(config.dataDir, 'spool'))
  const writer =
    db && config.storage.enabled
      ? new StorageWriter({ store: createRecordStore(db), spool, log, settings: config.storage })
      : null
  const metrics = new ProxyMetrics()

  const record = (ex: Exchange) => {
    metrics.inFlight--
    metrics.observe(ex.status, ex.end)
    if (!writer) return
    // Parsing and decoding wait until the client has been answered.
    setImmediate(() => writer.enqueue(buildRecord(ex)))
  }
  const buildRecord = (ex: Exchange) => {
    try {
      return recordExchange(ex, deriveRequestFacts, config.storage.storeStreamingChunks)
    } catch (err) {
      log.error('could not build the stored record; storing it without bodies', { error: err })
      return recordExchange({ ...ex, requestBody: null, chunks: [] }, deriveRequestFacts, false)
    }
  }

  const proxy = createProxyHandler({
    upstream,
    resolveAuth: (domain, headers) => credentials.resolveUpstreamAuth(domain, headers),
    parseDomain,
    record,
    log,
    settings: { maxRequestBytes: config.proxy.maxRequestBytes, timeoutMs: config.upstream.timeoutMs },
  })
  const ping = () => (db ? pingDatabase(db) : Promise.reject(new Error('storage disabled')))
  const control = getRequestListener(controlRoutes({ writer, metrics, ping }).fetch)

  return {
    proxyListener(req, res) {
      if (req.url?.startsWith('/v1/')) {
        metrics.inFlight++
        proxy(req, res)
      } else {
        void control(req, res)
      }
    },
    dashboardListener: getRequestListener(dashboardApp({ db }).fetch),
    writer,
    metrics,
    async start() {
      if (!writer) return
      await spool.init()
      writer.start()
    },
    async stop() {
      await writer?.drain()
      await upstream.close()
    },
  }
}
