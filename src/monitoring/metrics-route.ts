import { createHash, timingSafeEqual } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { Hono } from 'hono'
import { Registry } from 'prom-client'
import { isLoopbackHost } from '../dashboard/auth/dashboard-access.ts'
import { errorBody } from '../errors.ts'
import { ScrapeBuffers } from './scrape-buffers.ts'

export interface MetricsRouteDeps {
  /** The scrape's text in chunks, written in order. */
  render: () => Promise<readonly string[]>
  /** METRICS_TOKEN: scrapers send `Authorization: Bearer <token>`. */
  token: string | undefined
  /** HOST: without a token, a non-loopback bind answers 403 rather than expose the figures. */
  host: string
}

/**
 * `GET /metrics` in the Prometheus text format, on the proxy and the dashboard port alike.
 * Without METRICS_TOKEN it is served only on a loopback bind: elsewhere every scrape gets a
 * 403 that says what to set (the process still starts; metrics are optional).
 */
export function metricsRoute(deps: MetricsRouteDeps) {
  const app = new Hono()
  const expected = deps.token === undefined ? undefined : digest(deps.token)
  // Sent as one buffer filled chunk by chunk: with 10,000+ series (over 1 MB) that costs the
  // server under half of what one string (encoded again for the socket) or a stream of the
  // chunks (a socket write each) does (bench/metrics.ts).
  const buffers = new ScrapeBuffers()
  app.get('/metrics', async (c) => {
    if (expected === undefined && !isLoopbackHost(deps.host)) {
      const message = `/metrics is off on a non-loopback bind (${deps.host}) without METRICS_TOKEN; set METRICS_TOKEN and scrape with Authorization: Bearer.`
      return c.json(errorBody('permission_error', message), 403)
    }
    if (expected !== undefined && !bearerMatches(c.req.header('authorization'), expected)) {
      c.header('www-authenticate', 'Bearer realm="metrics"')
      return c.json(errorBody('authentication_error', 'A valid METRICS_TOKEN is required.'), 401)
    }
    c.header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
    c.header('cache-control', 'no-store')
    const chunks = await deps.render()
    // Under @hono/node-server the answer's buffer is reused once the response is closed.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
    const size = byteLength(chunks)
    const buffer = outgoing ? buffers.take(size) : Buffer.allocUnsafeSlow(size)
    if (outgoing) outgoing.once('close', () => buffers.give(buffer))
    let at = 0
    for (const chunk of chunks) at += buffer.write(chunk, at)
    c.header('content-length', String(size))
    return c.body(new Uint8Array(buffer.buffer as ArrayBuffer, 0, size))
  })
  return app
}

function byteLength(chunks: readonly string[]): number {
  let size = 0
  for (const chunk of chunks) size += Buffer.byteLength(chunk)
  return size
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}

// Digests have equal lengths, so the comparison's time says nothing about the token.
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)
}
