import type { Dispatcher } from 'undici'
import { UpstreamError, UpstreamTimeoutError } from '../errors.ts'
import type { Log } from '../log.ts'
import type { Exchange } from './exchange.ts'
import { upstreamRequestHeaders } from './headers.ts'
import type { Upstream } from './upstream.ts'
import { errorCode, upstreamFailureKind } from './upstream-failure.ts'
import type { UpstreamAuth } from './proxy-handler.ts'

const CONNECT_RETRIES = 2

export interface SendContext {
  upstream: Upstream
  log: Log
  timeoutMs: number
  signal: AbortSignal
  deadline: { expired: boolean }
}

/**
 * Sends the exchange's request upstream. Retries only when the request cannot have left
 * this host (see upstream-failure.ts): a POST upstream received must never run twice.
 */
export async function sendUpstream(
  ctx: SendContext,
  ex: Exchange,
  auth: UpstreamAuth,
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
      return await ctx.upstream.request({
        method: ex.method,
        path,
        headers,
        body: hasBody ? ex.requestBody : null,
        signal: ctx.signal,
      })
    } catch (err) {
      if (ctx.deadline.expired) {
        ctx.log.info('upstream error', { requestId: ex.requestId, kind: 'timeout', attempt })
        throw new UpstreamTimeoutError(ctx.timeoutMs)
      }
      if (ctx.signal.aborted) throw err
      const kind = upstreamFailureKind(err)
      const code = errorCode(err)
      const retry = kind === 'connect' && attempt < CONNECT_RETRIES
      ctx.log.info('upstream error', { requestId: ex.requestId, kind, code, attempt, retry })
      if (retry) {
        await new Promise((r) => setTimeout(r, 100 * 3 ** attempt))
        continue
      }
      const message =
        kind === 'connection_lost'
          ? `The connection to the Claude API closed before it answered: ${code}`
          : `Could not reach the Claude API: ${code}`
      throw new UpstreamError(message, { cause: err })
    }
  }
}
