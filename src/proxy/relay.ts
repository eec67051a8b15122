import type { ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import type { Log } from '../log.ts'
import type { Exchange } from './exchange.ts'
import { clientResponseHeaders, headerValue } from './headers.ts'
import { errorCode } from './upstream-failure.ts'

/** Copies upstream's answer to the client byte for byte, keeping the chunks for the record. */
export function relay(
  log: Log,
  res: ServerResponse,
  ex: Exchange,
  upstreamRes: Dispatcher.ResponseData,
  t0: number,
  deadline: { expired: boolean },
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
      log.info('upstream error', {
        requestId: ex.requestId,
        kind: deadline.expired ? 'timeout' : 'response_dropped',
        code: errorCode(err),
      })
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
