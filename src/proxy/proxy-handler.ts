import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { AppError, UpstreamTimeoutError } from '../errors.ts'
import type { SlackSettings } from '../credentials/credential-file.ts'
import type { Log } from '../log.ts'
import { carriesResultsUrls } from './batch-results-url.ts'
import { newExchange, type Exchange } from './exchange.ts'
import { requireJsonBody } from './media-type.ts'
import { readBody } from './read-body.ts'
import { relay } from './relay.ts'
import { relayBatchJson } from './relay-batch-json.ts'
import { sendUpstream, type SendContext } from './send-upstream.ts'
import type { Upstream } from './upstream.ts'

/** What the proxy needs to know to authenticate upstream on the client's behalf. */
export interface UpstreamAuth {
  accountId: string
  source: 'api_key' | 'oauth' | 'passthrough'
  /** Auth headers to send upstream; pass-through sends the client's own. */
  headers: Record<string, string>
  betaToAdd?: string | undefined
  slack?: SlackSettings | undefined
  /** OAuth only: refresh after upstream said 401, and give the new auth. */
  retryAfterUnauthorized?: (() => Promise<UpstreamAuth>) | undefined
}

export interface ProxyDeps {
  upstream: Upstream
  resolveAuth(domain: string, headers: IncomingHttpHeaders): Promise<UpstreamAuth> | UpstreamAuth
  parseDomain(host: string | undefined): string
  /** Called once per request after the client got its last byte; must not block. */
  record(exchange: Exchange): void
  log: Log
  settings: { maxRequestBytes: number; timeoutMs: number }
}

/**
 * Forwards `/v1/*` requests byte for byte and hands what it saw to the recorder. Written
 * against node:http rather than a framework: bodies stream through untouched, and the
 * per-request cost stays small (see docs/adr/0001-proxy-on-node-http.md).
 */
export function createProxyHandler(deps: ProxyDeps) {
  return function proxyHandler(req: IncomingMessage, res: ServerResponse): void {
    const ex = newExchange(
      randomUUID(),
      Date.now(),
      req.method ?? 'GET',
      req.url ?? '/',
      req.headers,
    )
    const t0 = performance.now()
    // Before any await (see readBody); the catch only marks the rejection as handled here.
    const body = readBody(req, deps.settings.maxRequestBytes)
    body.catch(() => undefined)
    const controller = new AbortController()
    res.on('close', () => {
      if (res.writableFinished) return
      ex.end ??= 'client_abort'
      controller.abort()
    })
    forward(deps, req, res, ex, body, t0, controller)
      .catch((err: unknown) => sendOwnError(deps.log, res, ex, err))
      .finally(() => {
        ex.durationMs = Math.round(performance.now() - t0)
        logRequest(deps.log, ex)
        deps.record(ex)
      })
  }
}

async function forward(
  deps: ProxyDeps,
  req: IncomingMessage,
  res: ServerResponse,
  ex: Exchange,
  body: Promise<Buffer>,
  t0: number,
  controller: AbortController,
): Promise<void> {
  ex.domain = deps.parseDomain(req.headers.host)
  requireJsonBody(ex.method, ex.path, req.headers)
  const auth = await deps.resolveAuth(ex.domain, req.headers)
  ex.accountId = auth.accountId
  ex.authSource = auth.source
  ex.slack = auth.slack ?? null
  try {
    ex.requestBody = await body
  } catch (err) {
    // Anything but our own 413 means the client's stream broke: it closed or reset.
    if (!(err instanceof AppError)) ex.end = 'client_abort'
    throw err
  }
  // Stored, never forwarded: nobody is left to answer, and upstream would bill the tokens.
  if (ex.end === 'client_abort') return

  // One controller for both the client hanging up and the overall deadline: a plain timer
  // costs less per request than composed AbortSignals.
  const deadline = { expired: false }
  const timer = setTimeout(() => {
    deadline.expired = true
    controller.abort()
  }, deps.settings.timeoutMs)
  const ctx: SendContext = {
    upstream: deps.upstream,
    log: deps.log,
    timeoutMs: deps.settings.timeoutMs,
    signal: controller.signal,
    deadline,
  }
  try {
    let upstreamRes = await sendUpstream(ctx, ex, auth)
    if (upstreamRes.statusCode === 401 && auth.retryAfterUnauthorized) {
      await upstreamRes.body.dump()
      upstreamRes = await sendUpstream(ctx, ex, await auth.retryAfterUnauthorized())
    }
    if (upstreamRes.statusCode === 200 && carriesResultsUrls(ex.method, ex.path)) {
      await relayBatchJson(res, ex, upstreamRes, t0)
    } else {
      await relay(deps.log, res, ex, upstreamRes, t0, deadline)
    }
  } finally {
    clearTimeout(timer)
  }
}

/** One line per request at info: what an operator greps for, never a header or a body. */
function logRequest(log: Log, ex: Exchange): void {
  log.info('request', {
    requestId: ex.requestId,
    method: ex.method,
    path: ex.path,
    status: ex.status,
    durationMs: ex.durationMs,
    domain: ex.domain,
    end: ex.end,
  })
}

function sendOwnError(log: Log, res: ServerResponse, ex: Exchange, err: unknown): void {
  if (ex.end === 'client_abort') return
  const appError =
    err instanceof AppError ? err : new AppError(500, 'api_error', 'Internal proxy error')
  if (!(err instanceof AppError))
    log.error('proxy failure', { requestId: ex.requestId, error: err })
  ex.status = appError.status
  ex.error = { type: appError.type, message: appError.message }
  ex.end = appError instanceof UpstreamTimeoutError ? 'timeout' : 'upstream_error'
  if (appError.status < 500) ex.end = 'done'
  if (res.headersSent) {
    res.destroy()
    return
  }
  const payload = JSON.stringify(appError.toBody())
  res.writeHead(appError.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-request-id': ex.requestId,
  })
  res.end(payload)
}
