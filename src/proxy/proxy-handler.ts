import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { AppError, UpstreamError, UpstreamTimeoutError } from '../errors.ts'
import type { SlackSettings } from '../credentials/credential-file.ts'
import type { Log } from '../log.ts'
import { carriesResultsUrls, relativeResultsUrls } from './batch-results-url.ts'
import { newExchange, type Exchange } from './exchange.ts'
import { clientResponseHeaders, headerValue, upstreamRequestHeaders } from './headers.ts'
import { readBody } from './read-body.ts'
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

const CONNECT_RETRIES = 2
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'EAI_AGAIN',
])

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
    const controller = new AbortController()
    res.on('close', () => {
      if (res.writableFinished) return
      ex.end ??= 'client_abort'
      controller.abort()
    })
    forward(deps, req, res, ex, t0, controller)
      .catch((err: unknown) => sendOwnError(deps.log, res, ex, err))
      .finally(() => {
        ex.durationMs = Math.round(performance.now() - t0)
        deps.record(ex)
      })
  }
}

async function forward(
  deps: ProxyDeps,
  req: IncomingMessage,
  res: ServerResponse,
  ex: Exchange,
  t0: number,
  controller: AbortController,
): Promise<void> {
  ex.domain = deps.parseDomain(req.headers.host)
  const auth = await deps.resolveAuth(ex.domain, req.headers)
  ex.accountId = auth.accountId
  ex.authSource = auth.source
  ex.slack = auth.slack ?? null
  ex.requestBody = await readBody(req, deps.settings.maxRequestBytes)

  // One controller for both the client hanging up and the overall deadline: a plain timer
  // costs less per request than composed AbortSignals.
  const deadline = { expired: false }
  const timer = setTimeout(() => {
    deadline.expired = true
    controller.abort()
  }, deps.settings.timeoutMs)
  try {
    await exchangeWithUpstream(deps, res, ex, auth, t0, controller.signal, deadline)
  } finally {
    clearTimeout(timer)
  }
}

async function exchangeWithUpstream(
  deps: ProxyDeps,
  res: ServerResponse,
  ex: Exchange,
  firstAuth: UpstreamAuth,
  t0: number,
  signal: AbortSignal,
  deadline: Deadline,
): Promise<void> {
  let auth = firstAuth
  const send = (a: UpstreamAuth) => sendUpstream(deps, ex, a, signal, deadline)
  let upstreamRes = await send(auth)
  if (upstreamRes.statusCode === 401 && auth.retryAfterUnauthorized) {
    await upstreamRes.body.dump()
    auth = await auth.retryAfterUnauthorized()
    upstreamRes = await send(auth)
  }
  if (upstreamRes.statusCode === 200 && carriesResultsUrls(ex.method, ex.path)) {
    await relayBatchJson(res, ex, upstreamRes, t0)
  } else {
    await relay(res, ex, upstreamRes, t0, deadline)
  }
}

/**
 * A batch's JSON (small) is read whole so its `results_url` can point back at the proxy
 * (batch-results-url.ts); the record keeps upstream's bytes. A failure while reading it
 * rejects before anything reached the client, so the client gets the proxy's own 502.
 */
async function relayBatchJson(
  res: ServerResponse,
  ex: Exchange,
  upstreamRes: Dispatcher.ResponseData,
  t0: number,
): Promise<void> {
  ex.status = upstreamRes.statusCode
  ex.responseHeaders = upstreamRes.headers as Record<string, string | string[]>
  for await (const chunk of upstreamRes.body as AsyncIterable<Buffer>) {
    ex.chunks.push({ bytes: chunk, atMs: performance.now() - t0 })
  }
  const original = Buffer.concat(ex.chunks.map((c) => c.bytes))
  const rewritten = relativeResultsUrls(
    original,
    headerValue(ex.responseHeaders, 'content-encoding'),
  )
  const headers = clientResponseHeaders(ex.responseHeaders, ex.requestId)
  if (rewritten) {
    delete headers['content-encoding']
    headers['content-length'] = String(rewritten.length)
  }
  ex.end = 'done'
  res.writeHead(upstreamRes.statusCode, headers)
  await new Promise<void>((resolve) => res.end(rewritten ?? original, resolve))
}

interface Deadline {
  expired: boolean
}

async function sendUpstream(
  deps: ProxyDeps,
  ex: Exchange,
  auth: UpstreamAuth,
  signal: AbortSignal,
  deadline: Deadline,
): Promise<Dispatcher.ResponseData> {
  const headers = upstreamRequestHeaders(ex.requestHeaders, {
    headers: auth.headers,
    keepClientAuth: auth.source === 'passthrough',
    betaToAdd: auth.betaToAdd,
  })
  const path = ex.query === null ? ex.path : `${ex.path}?${ex.query}`
  const hasBody = ex.requestBody !== null && ex.requestBody.length > 0
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.upstream.request({
        method: ex.method,
        path,
        headers,
        body: hasBody ? ex.requestBody : null,
        signal,
      })
    } catch (err) {
      if (deadline.expired) throw new UpstreamTimeoutError(deps.settings.timeoutMs)
      if (signal.aborted) throw err
      const code = (err as { code?: string }).code ?? ''
      if (!RETRYABLE_CODES.has(code) || attempt >= CONNECT_RETRIES) {
        throw new UpstreamError(
          `Could not reach the Claude API: ${code || (err as Error).message}`,
          {
            cause: err,
          },
        )
      }
      // Nothing has reached the client yet, so another connection attempt is safe.
      await new Promise((r) => setTimeout(r, 100 * 3 ** attempt))
    }
  }
}

function relay(
  res: ServerResponse,
  ex: Exchange,
  upstreamRes: Dispatcher.ResponseData,
  t0: number,
  deadline: Deadline,
): Promise<void> {
  ex.status = upstreamRes.statusCode
  ex.responseHeaders = upstreamRes.headers as Record<string, string | string[]>
  ex.isStreaming = (headerValue(ex.responseHeaders, 'content-type') ?? '').includes(
    'text/event-stream',
  )
  res.writeHead(upstreamRes.statusCode, clientResponseHeaders(ex.responseHeaders, ex.requestId))
  const body = upstreamRes.body
  let last: Buffer | undefined
  return new Promise((resolve) => {
    body.on('data', (chunk: Buffer) => {
      ex.chunks.push({ bytes: chunk, atMs: performance.now() - t0 })
      last = chunk
      if (!res.write(chunk)) {
        body.pause()
        res.once('drain', () => body.resume())
      }
    })
    body.on('end', () => {
      ex.end = 'done'
      res.end(resolve)
    })
    body.on('error', (err) => {
      if (ex.end === 'client_abort') return resolve()
      ex.end = deadline.expired ? 'timeout' : 'upstream_error'
      ex.error = { type: 'api_error', message: `Upstream stream failed: ${err.message}` }
      if (ex.isStreaming && endsAnEvent(last)) {
        // Between events, an SSE client learns of the failure the way Anthropic itself
        // reports one mid-stream; inside an event, only an abrupt close is honest.
        const event = { type: 'error', error: ex.error }
        res.end(`event: error\ndata: ${JSON.stringify(event)}\n\n`, resolve)
      } else {
        res.destroy(err)
        resolve()
      }
    })
  })
}

function endsAnEvent(chunk: Buffer | undefined): boolean {
  if (!chunk) return true
  const n = chunk.length
  return (
    (chunk[n - 1] === 0x0a && chunk[n - 2] === 0x0a) || chunk.subarray(-4).toString() === '\r\n\r\n'
  )
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
