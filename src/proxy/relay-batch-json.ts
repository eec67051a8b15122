import type { ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { relativeResultsUrls } from './batch-results-url.ts'
import type { Exchange } from './exchange.ts'
import { clientResponseHeaders, headerValue } from './headers.ts'

/**
 * A batch's JSON (small) is read whole so its `results_url` can point back at the proxy
 * (batch-results-url.ts); the record keeps upstream's bytes. A failure while reading it
 * rejects before anything reached the client, so the client gets the proxy's own 502.
 */
export async function relayBatchJson(
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
