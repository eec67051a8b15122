import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'

/**
 * The address rate limits are counted against. By default the socket's peer: behind a reverse
 * proxy that is the proxy itself, so with `trustProxy` (DASHBOARD_TRUST_PROXY=true) the last
 * X-Forwarded-For entry is used instead. The last one is what our own reverse proxy appended;
 * entries before it come from the client and could be forged to dodge the limit.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  const peer = incoming?.socket.remoteAddress ?? 'unknown'
  if (!trustProxy) return peer
  const forwarded = c.req.header('x-forwarded-for')
  const last = forwarded?.split(',').at(-1)?.trim()
  return last ? last : peer
}
