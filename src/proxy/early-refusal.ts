import type { IncomingMessage } from 'node:http'
import { requireJsonBody } from './media-type.ts'

/**
 * Whether the headers alone already earn the request its 413 or 415, the same checks
 * readBody and requireJsonBody make once the handler runs.
 */
export function refusedFromHeaders(req: IncomingMessage, maxRequestBytes: number): boolean {
  if (Number(req.headers['content-length']) > maxRequestBytes) return true
  const url = req.url ?? '/'
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  try {
    requireJsonBody(req.method ?? 'GET', path, req.headers)
    return false
  } catch {
    return true
  }
}
