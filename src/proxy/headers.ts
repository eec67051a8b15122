import type { IncomingHttpHeaders } from 'node:http'
import { scrubSecrets } from '../redact.ts'

// RFC 9110 §7.6.1 connection-specific headers, plus ones we set ourselves.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

const CLIENT_AUTH = new Set(['x-api-key', 'authorization'])
// `expect`: the proxy has already answered "100 Continue" and holds the whole body, and
// undici refuses a request that carries the header.
const NOT_FORWARDED_UPSTREAM = new Set([
  'host',
  'content-length',
  'cookie',
  'x-dashboard-key',
  'expect',
])

export type HeaderMap = Record<string, string | string[]>

/** The client's headers as they go upstream: everything but hop-by-hop, host and auth. */
export function upstreamRequestHeaders(
  client: IncomingHttpHeaders,
  auth: {
    headers: Record<string, string>
    keepClientAuth: boolean
    betaToAdd?: string | undefined
  },
): HeaderMap {
  const out: HeaderMap = {}
  for (const [name, value] of Object.entries(client)) {
    if (value === undefined || HOP_BY_HOP.has(name) || NOT_FORWARDED_UPSTREAM.has(name)) continue
    if (CLIENT_AUTH.has(name) && !auth.keepClientAuth) continue
    out[name] = value
  }
  Object.assign(out, auth.headers)
  if (auth.betaToAdd) out['anthropic-beta'] = mergeBeta(out['anthropic-beta'], auth.betaToAdd)
  return out
}

function mergeBeta(existing: string | string[] | undefined, beta: string): string {
  const values = (Array.isArray(existing) ? existing.join(',') : (existing ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
  if (!values.includes(beta)) values.push(beta)
  return values.join(',')
}

/** Upstream's response headers as they go back to the client: all but hop-by-hop. */
export function clientResponseHeaders(upstream: HeaderMap, requestId: string): HeaderMap {
  const out: HeaderMap = {}
  for (const [name, value] of Object.entries(upstream)) {
    if (!HOP_BY_HOP.has(name)) out[name] = value
  }
  out['x-request-id'] = requestId
  return out
}

const SECRET_HEADERS = new Set([
  'x-api-key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-dashboard-key',
])

// Custom headers whose name ends in a secret-ish word (`x-goog-api-key`, `x-auth-token`,
// `x-session`); `anthropic-ratelimit-tokens-limit` and `x-claude-code-session-id` do not.
const SECRET_NAME =
  /(?:^|-)(?:key|api-?key|token|secret|password|auth|session|cookie|credentials?)s?$/

/** Headers as stored and shown: secrets replaced, repeated values joined. */
export function redactHeaders(headers: IncomingHttpHeaders | HeaderMap): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    out[lower] =
      SECRET_HEADERS.has(lower) || SECRET_NAME.test(lower)
        ? '[redacted]'
        : scrubSecrets(Array.isArray(value) ? value.join(', ') : value)
  }
  return out
}

export function headerValue(headers: IncomingHttpHeaders | HeaderMap, name: string) {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}
