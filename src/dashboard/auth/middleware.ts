import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { errorBody } from '../../errors.ts'
import type { DashboardAuth, Viewer } from './dashboard-auth.ts'
import { RETRY_AFTER_SECONDS, type GuessGuard } from './login-limiter.ts'
import { inScope } from './scope.ts'

export type DashboardEnv = { Variables: { viewer: Viewer } }

export const SESSION_COOKIE = 'nexus_session'

/**
 * Every dashboard route, SSE and JSON APIs included, passes here: a valid `X-Dashboard-Key`
 * or session cookie sets `c.var.viewer`; anything else is refused (anonymous readers are let
 * in only with DASHBOARD_READ_ONLY=true). Pages redirect to the login form, APIs get a 401.
 */
export function requireViewer(auth: DashboardAuth, guard: GuessGuard) {
  return createMiddleware<DashboardEnv>(async function requireViewer(c, next) {
    const resolution = await resolveGuarded(c, auth, guard)
    if (resolution === 'blocked') return tooManyGuesses(c)
    if (resolution.ok) {
      c.set('viewer', resolution.viewer)
      return next()
    }
    c.header('cache-control', 'no-store')
    if (resolution.reason === 'bad-key') {
      return c.json(
        errorBody('authentication_error', 'The X-Dashboard-Key header is not a valid key'),
        401,
      )
    }
    if (!isPageNavigation(c)) {
      return c.json(
        errorBody('authentication_error', 'Log in to the dashboard or send X-Dashboard-Key'),
        401,
      )
    }
    // A SameSite=Strict cookie is withheld on navigations from other sites (a link in a chat
    // message). Reloading from our own page makes the navigation same-site, so a logged-in
    // user lands where the link pointed instead of on the login form.
    if (c.req.header('sec-fetch-site') === 'cross-site') {
      return c.html(
        '<!doctype html><meta http-equiv="refresh" content="0"><title>Redirecting</title>',
      )
    }
    return c.redirect(`/login?next=${encodeURIComponent(c.req.path + query(c))}`, 303)
  })
}

/**
 * For JSON APIs served outside the dashboard (the usage API on the proxy port): the same
 * keys and sessions, a 401 instead of a login redirect, and a domain login must name one of
 * its own domains in `?domain=` (those APIs filter by that parameter).
 */
export function requireApiViewer(auth: DashboardAuth, guard: GuessGuard) {
  return createMiddleware<DashboardEnv>(async function requireApiViewer(c, next) {
    const resolution = await resolveGuarded(c, auth, guard)
    if (resolution === 'blocked') return tooManyGuesses(c)
    if (!resolution.ok) {
      const message =
        resolution.reason === 'bad-key'
          ? 'Invalid dashboard key'
          : 'Send X-Dashboard-Key (or log in to the dashboard)'
      return c.json(errorBody('authentication_error', message), 401, {
        'www-authenticate': 'X-Dashboard-Key',
      })
    }
    const { viewer } = resolution
    if (viewer.scope.kind !== 'all') {
      const domain = c.req.query('domain')
      if (!domain || !inScope(viewer.scope, domain)) {
        return c.json(
          errorBody(
            'permission_error',
            'A domain key must ask for one of its domains (?domain=...)',
          ),
          403,
        )
      }
    }
    c.set('viewer', viewer)
    return next()
  })
}

/**
 * A key in `X-Dashboard-Key` is a guess like a login attempt and shares its limit: once a
 * client has failed too often, even a right key is refused until the window passes, so
 * guessing on gets nothing. Cookies are HMAC-signed and cannot be guessed; they are not counted.
 */
async function resolveGuarded(c: Context, auth: DashboardAuth, guard: GuessGuard) {
  const dashboardKey = c.req.header('x-dashboard-key')
  const address = guard.addressOf(c)
  if (dashboardKey !== undefined && guard.limiter.blocked(address)) return 'blocked'
  const resolution = await auth.resolve({ cookie: getCookie(c, SESSION_COOKIE), dashboardKey })
  if (!resolution.ok && resolution.reason === 'bad-key') guard.limiter.fail(address)
  return resolution
}

function tooManyGuesses(c: Context) {
  return c.json(
    errorBody('rate_limit_error', 'Too many wrong keys from this client; wait a few minutes'),
    429,
    { 'retry-after': String(RETRY_AFTER_SECONDS), 'cache-control': 'no-store' },
  )
}

/**
 * CSRF defence for everything that is not a read: the request must come from our own origin
 * (Origin header, or Sec-Fetch-Site when a browser omits Origin). Together with the
 * SameSite=Strict cookie this stops cross-site forms and fetches. Calls authenticated only by
 * `X-Dashboard-Key` are exempt: a browser never attaches that header across origins without a
 * CORS preflight, which this server never grants.
 */
export function sameOriginWrites() {
  return createMiddleware(async function sameOriginWrites(c, next) {
    if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return next()
    const headerOnly =
      c.req.header('x-dashboard-key') !== undefined && getCookie(c, SESSION_COOKIE) === undefined
    if (headerOnly || isSameOrigin(c)) return next()
    return c.json(errorBody('permission_error', 'Cross-origin request refused'), 403)
  })
}

/** Write actions: refused for anonymous readers and while DASHBOARD_READ_ONLY is on. */
export function requireWrite() {
  return createMiddleware<DashboardEnv>(async function requireWrite(c, next) {
    if (c.var.viewer.canWrite) return next()
    return c.json(errorBody('permission_error', 'The dashboard is read-only'), 403)
  })
}

export function isSameOrigin(c: Context): boolean {
  const host = c.req.header('host')
  const origin = c.req.header('origin')
  if (origin !== undefined && origin !== 'null') {
    try {
      // Hosts only: behind a TLS-terminating proxy the scheme we see differs from the browser's.
      return host !== undefined && new URL(origin).host === host.toLowerCase()
    } catch {
      return false
    }
  }
  return c.req.header('sec-fetch-site') === 'same-origin'
}

function isPageNavigation(c: Context): boolean {
  if (c.req.method !== 'GET') return false
  const mode = c.req.header('sec-fetch-mode')
  if (mode !== undefined) return mode === 'navigate'
  return (c.req.header('accept') ?? '').includes('text/html')
}

function query(c: Context): string {
  const url = new URL(c.req.url)
  return url.search
}

/**
 * A same-site path to return to after login; anything else is dropped: `//evil`, `\\evil`,
 * and control characters or spaces, which browsers strip (`/\t/evil` would become `//evil`).
 */
export function safeNextPath(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || /[\\\x00-\x20\x7f]/.test(next)) {
    return '/'
  }
  return next
}
