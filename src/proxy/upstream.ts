import { Agent, type Dispatcher } from 'undici'

export interface UpstreamRequest {
  method: string
  path: string
  headers: Record<string, string | string[]>
  body: Buffer | null
  signal: AbortSignal
}

/** Where proxied requests go: the Anthropic API or, in tests, a loopback server. */
export interface Upstream {
  request(req: UpstreamRequest): Promise<Dispatcher.ResponseData>
  close(): Promise<void>
}

export function createUpstream(options: {
  baseUrl: string
  connections: number
  timeoutMs: number
}): Upstream {
  // Keep-alive pool per origin; the timeouts bound silence, the signal bounds the total.
  const agent = new Agent({
    connections: options.connections,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  })
  const base = new URL(options.baseUrl)
  const prefix = base.pathname.replace(/\/+$/, '')
  return {
    request(req) {
      return agent.request({
        origin: base.origin,
        path: prefix + req.path,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      })
    },
    close: () => agent.close(),
  }
}
