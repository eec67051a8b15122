import type { IncomingHttpHeaders } from 'node:http'
import { UnsupportedMediaTypeError } from '../errors.ts'

// Endpoints whose body Anthropic parses as JSON. A browser on any origin may POST
// text/plain or a form here without a CORS preflight; refusing those keeps such a page from
// spending the proxy's credentials.
const JSON_ONLY = new Set(['/v1/messages', '/v1/messages/count_tokens'])

/** Throws 415 for a POST to a JSON endpoint whose Content-Type is not JSON (or missing). */
export function requireJsonBody(method: string, path: string, headers: IncomingHttpHeaders) {
  if (method !== 'POST' || !JSON_ONLY.has(path.replace(/\/+$/, ''))) return
  const raw = headers['content-type']
  const essence = (raw ?? '').split(';')[0]!.trim().toLowerCase()
  if (essence === 'application/json' || /^application\/[\w.+-]*\+json$/.test(essence)) return
  throw new UnsupportedMediaTypeError(raw)
}
