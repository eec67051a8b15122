import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'

const BATCH_JSON_PATH = /^\/v1\/messages\/batches(?:\/[A-Za-z0-9_-]{1,200})?\/?$/
const RESULTS_URL =
  /("results_url"\s*:\s*")https?:\/\/[^"/]+(?:\/[^"]*?)?(\/v1\/messages\/batches\/[A-Za-z0-9_-]{1,200}\/results)"/g

/** Whether this exchange may carry `results_url`s: retrieving or listing batches. */
export function carriesResultsUrls(method: string, path: string): boolean {
  return method === 'GET' && BATCH_JSON_PATH.test(path)
}

/**
 * The body with every absolute `results_url` made relative (`/v1/messages/batches/{id}/results`),
 * or null when there is nothing to change. Anthropic returns an absolute URL on its own
 * origin; an SDK follows it as is and would download the results around the proxy, whose
 * usage then goes uncounted. A relative URL resolves against the client's base URL, the
 * proxy. Only that field changes: every other byte is upstream's.
 */
export function relativeResultsUrls(
  body: Buffer,
  contentEncoding: string | undefined,
): Buffer | null {
  let text: string
  try {
    text = decode(body, contentEncoding).toString('utf8')
  } catch {
    return null
  }
  const rewritten = text.replace(RESULTS_URL, '$1$2"')
  return rewritten === text ? null : Buffer.from(rewritten, 'utf8')
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === undefined || encoding === 'identity') return body
  if (encoding === 'gzip') return gunzipSync(body)
  if (encoding === 'br') return brotliDecompressSync(body)
  if (encoding === 'deflate') return inflateSync(body)
  throw new Error(`unknown content-encoding ${encoding}`)
}
