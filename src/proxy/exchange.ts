import type { IncomingHttpHeaders } from 'node:http'
import type { SlackSettings } from '../credentials/credential-file.ts'
import type { StreamEnd } from '../storage/request-record.ts'
import type { HeaderMap } from './headers.ts'

export interface ReceivedChunk {
  bytes: Buffer
  /** Milliseconds since the request arrived. */
  atMs: number
}

/**
 * The raw facts of one proxied request, gathered on the hot path with no parsing. It is
 * turned into a stored record afterwards (record-exchange.ts).
 */
export interface Exchange {
  requestId: string
  startedAt: number
  method: string
  path: string
  query: string | null
  domain: string
  accountId: string | null
  authSource: string | null
  /** The domain's own Slack webhook, from its credential file. */
  slack: SlackSettings | null
  requestHeaders: IncomingHttpHeaders
  requestBody: Buffer | null
  status: number | null
  responseHeaders: HeaderMap | null
  chunks: ReceivedChunk[]
  isStreaming: boolean
  durationMs: number | null
  end: StreamEnd | null
  error: { type: string; message: string } | null
}

export function newExchange(
  requestId: string,
  startedAt: number,
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
): Exchange {
  const q = url.indexOf('?')
  return {
    requestId,
    startedAt,
    method,
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? null : url.slice(q + 1),
    domain: 'unknown',
    accountId: null,
    authSource: null,
    slack: null,
    requestHeaders: headers,
    requestBody: null,
    status: null,
    responseHeaders: null,
    chunks: [],
    isStreaming: false,
    durationMs: null,
    end: null,
    error: null,
  }
}
