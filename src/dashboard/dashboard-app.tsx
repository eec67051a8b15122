/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
// JSX pragmas in every .tsx here: `nexus` runs from any directory, where tsconfig.json is not read.
import { Hono, type MiddlewareHandler } from 'hono'
import type { CredentialStore } from '../credentials/credential-store.ts'
import type { Database } from '../db/database.ts'
import { AppError, errorBody } from '../errors.ts'
import type { Log } from '../log.ts'
import { createDashboardAuth, type DashboardAuth } from './auth/dashboard-auth.ts'
import { clientAddress } from './auth/client-address.ts'
import { createDomainKeys } from './auth/domain-keys.ts'
import { LoginLimiter, type GuessGuard } from './auth/login-limiter.ts'
import {
  requireApiViewer,
  requireViewer,
  sameOriginWrites,
  type DashboardEnv,
} from './auth/middleware.ts'
import { securityHeaders } from './auth/security-headers.ts'
import type { DashboardLive } from './live/dashboard-live.ts'
import { analysisRoutes, type AnalysisRoutesDeps } from '../analysis/analysis-routes.ts'
import { analysisPageRoutes } from './routes/analysis-page-routes.tsx'
import { assetRoutes } from './routes/asset-routes.ts'
import { conversationPageRoutes } from './routes/conversation-page-routes.tsx'
import { eventsRoutes } from './routes/events-routes.ts'
import { loginRoutes } from './routes/login-routes.tsx'
import { overviewRoutes } from './routes/overview-routes.tsx'
import { requestRoutes } from './routes/request-routes.tsx'
import { usagePageRoutes } from './routes/usage-page-routes.tsx'
import { promptPageRoutes, type PromptsPageDeps } from './routes/prompt-page-routes.tsx'
import { Empty, Layout, PageTitle } from './views/layout.tsx'
import type { SparkClient } from '../spark/spark-client.ts'
import { sparkRoutes } from '../spark/spark-routes.ts'

export interface DashboardDepsIn {
  db: Database | null
  log: Log
  clock: () => number
  dataDir: string
  credentialsDir: string
  credentialStore: CredentialStore
  /** The resolved key (configured or kept in DATA_DIR; see prepareDashboardAccess). */
  apiKey: string | undefined
  readOnly: boolean
  /** DASHBOARD_TRUST_PROXY: rate limits count X-Forwarded-For's client, not the socket. */
  trustProxy?: boolean
  live: DashboardLive
  sessionTtlMs?: number
  sseHeartbeatMs?: number
  /** The Prompts page, when MCP is on. */
  prompts?: PromptsPageDeps | undefined
  /** Health and `/metrics` (src/monitoring), public like `/health` was: they carry their own auth. */
  monitoring?: Hono
  /** The analysis API's settings (src/analysis/); without them: no worker, 30 an hour. */
  analysis?: Pick<AnalysisRoutesDeps, 'rateLimit' | 'workerConfigured' | 'onQueued'>
  /** Spark recommendations' feedback (src/spark); without it cards show no form. */
  spark?: SparkClient | undefined
}

export interface Dashboard {
  app: Hono<DashboardEnv>
  auth: DashboardAuth
  /**
   * Guards JSON APIs served elsewhere (the usage API on the proxy port): the same keys and
   * sessions as the dashboard, 401 instead of a login redirect, and a domain login must
   * name one of its domains in `?domain=`.
   */
  apiGuard: MiddlewareHandler
}

/** The dashboard web app: security headers, login, then every page behind requireViewer. */
export function createDashboard(deps: DashboardDepsIn): Dashboard {
  const domainKeys = createDomainKeys({
    dir: deps.credentialsDir,
    store: deps.credentialStore,
    clock: deps.clock,
  })
  const auth = createDashboardAuth({
    apiKey: deps.apiKey,
    readOnly: deps.readOnly,
    dataDir: deps.dataDir,
    domainKeys,
    clock: deps.clock,
    ...(deps.sessionTtlMs ? { sessionTtlMs: deps.sessionTtlMs } : {}),
  })
  const guard: GuessGuard = {
    limiter: new LoginLimiter(deps.clock),
    addressOf: (c) => clientAddress(c, deps.trustProxy ?? false),
  }
  const app = new Hono<DashboardEnv>()
  app.use(securityHeaders())
  if (deps.monitoring) app.route('/', deps.monitoring)
  else app.get('/health', (c) => c.json({ status: 'ok' }))
  app.route('/', assetRoutes())
  app.use(sameOriginWrites())
  app.route('/', loginRoutes({ auth, guard }))
  // Everything registered below this line requires a viewer.
  app.use(requireViewer(auth, guard))
  app.route(
    '/',
    eventsRoutes({
      bus: deps.live.bus,
      auth,
      ...(deps.sseHeartbeatMs ? { heartbeatMs: deps.sseHeartbeatMs } : {}),
    }),
  )
  if (deps.prompts) app.route('/', promptPageRoutes(deps.prompts))
  else {
    app.get('/prompts', (c) =>
      c.html(
        <Layout title="Prompts" section="prompts" viewer={c.var.viewer}>
          <PageTitle>Prompts</PageTitle>
          <Empty>
            MCP is off: create the prompts directory (MCP_PROMPTS_DIR, ./prompts) or set
            MCP_ENABLED=true (docs/mcp.md).
          </Empty>
        </Layout>,
      ),
    )
  }
  const db = deps.db
  if (db) {
    const pageDeps = { db, clock: deps.clock, log: deps.log }
    const analysisDeps = {
      db,
      clock: deps.clock,
      ...(deps.analysis ?? {
        rateLimit: { max: 30, windowMs: 3_600_000 },
        workerConfigured: false,
      }),
    }
    app.route('/', analysisRoutes(analysisDeps))
    app.route('/', analysisPageRoutes(analysisDeps))
    app.route('/', overviewRoutes(pageDeps))
    app.route('/', requestRoutes({ ...pageDeps, spark: deps.spark }))
    if (deps.spark) app.route('/', sparkRoutes({ db, spark: deps.spark, log: deps.log }))
    app.route('/', conversationPageRoutes({ ...pageDeps, spark: deps.spark }))
    app.route('/', usagePageRoutes(pageDeps))
  } else {
    app.get('*', (c) =>
      c.html(
        <Layout title="Storage disabled" section={undefined} viewer={c.var.viewer}>
          <PageTitle>Storage is disabled</PageTitle>
          <Empty>STORAGE_ENABLED=false: there are no stored requests to show.</Empty>
        </Layout>,
        503,
      ),
    )
  }
  app.notFound((c) => {
    if (!c.var.viewer) return c.json(errorBody('not_found_error', 'Not found'), 404)
    return c.html(
      <Layout title="Not found" section={undefined} viewer={c.var.viewer}>
        <PageTitle>Not found</PageTitle>
        <Empty>There is nothing here, or it is outside what you may see.</Empty>
      </Layout>,
      404,
    )
  })
  app.onError((err, c) => {
    const known = err instanceof AppError
    if (!known) deps.log.error('dashboard request failed', { path: c.req.path, error: err })
    const status = (known ? err.status : 500) as 404
    const message = known ? err.message : 'The dashboard could not load this page.'
    if (c.req.header('accept')?.includes('text/html') && c.var.viewer) {
      return c.html(
        <Layout title="Error" section={undefined} viewer={c.var.viewer}>
          <PageTitle>{status === 404 ? 'Not found' : 'Something went wrong'}</PageTitle>
          <Empty>{message}</Empty>
        </Layout>,
        status,
      )
    }
    return c.json(errorBody(known ? err.type : 'api_error', message), status)
  })

  return { app, auth, apiGuard: requireApiViewer(auth, guard) }
}
