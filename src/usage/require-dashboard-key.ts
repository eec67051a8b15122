import { createHash, timingSafeEqual } from 'node:crypto'
import { errorBody } from '../errors.ts'

/** The part of a request context this check reads; Hono's Context fits it. */
export interface KeyedContext {
  req: { header(name: string): string | undefined }
}

/**
 * Middleware that lets a request through only with `X-Dashboard-Key` equal to the
 * configured key. Both sides are hashed to fixed-length digests and compared with
 * `timingSafeEqual`, so timing reveals neither the key nor its length. With no key
 * configured every request is refused: these routes expose every account's usage.
 * Written on web standards (a plain Response), so it works with any Hono sub-app.
 */
export function requireDashboardKey(apiKey: string | undefined) {
  const expected = apiKey === undefined || apiKey === '' ? undefined : digest(apiKey)
  return async function requireDashboardKey(
    c: KeyedContext,
    next: () => Promise<void>,
  ): Promise<Response | undefined> {
    if (expected === undefined) {
      return deny('The usage API is disabled: DASHBOARD_API_KEY is not set.')
    }
    const presented = c.req.header('x-dashboard-key')
    if (presented === undefined || presented === '') {
      return deny('Missing X-Dashboard-Key header.')
    }
    if (!timingSafeEqual(digest(presented), expected)) return deny('Invalid dashboard key.')
    await next()
    return undefined
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

function deny(message: string): Response {
  return Response.json(errorBody('authentication_error', message), {
    status: 401,
    headers: { 'www-authenticate': 'X-Dashboard-Key' },
  })
}
