/**
 * How a failed upstream request failed, for the retry decision and the log. Only a failure
 * before any byte of the request left this host is retried: after that, upstream may have
 * received (and billed) the request even though no answer came back.
 */
export type UpstreamFailureKind = 'connect' | 'connection_lost' | 'other'

// Connection refused, DNS, no route, or undici's connect timeout: no socket ever carried
// the request.
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])

const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT'])

interface ErrorFacts {
  code?: unknown
  /** undici's SocketError carries the socket's byte counts. */
  socket?: { bytesWritten?: unknown }
}

export function upstreamFailureKind(err: unknown): UpstreamFailureKind {
  const e = (err ?? {}) as ErrorFacts
  const code = typeof e.code === 'string' ? e.code : ''
  if (CONNECT_CODES.has(code)) return 'connect'
  // A fresh socket closed before it wrote anything never sent this request.
  if (code === 'UND_ERR_SOCKET' && e.socket?.bytesWritten === 0) return 'connect'
  return LOST_CODES.has(code) ? 'connection_lost' : 'other'
}

export function errorCode(err: unknown): string {
  const code = (err as ErrorFacts | null)?.code
  if (typeof code === 'string') return code
  return err instanceof Error ? err.message : String(err)
}
