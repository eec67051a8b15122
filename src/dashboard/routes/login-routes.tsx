/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { DashboardAuth } from '../auth/dashboard-auth.ts'
import { RETRY_AFTER_SECONDS, type GuessGuard } from '../auth/login-limiter.ts'
import { safeNextPath, SESSION_COOKIE } from '../auth/middleware.ts'
import { LoginPage } from '../views/login-page.tsx'

/**
 * Login by key (form POST), by single-use link (`/login?token=`, printed by `nexus start`),
 * and logout. These are the only routes reachable without a session.
 */
export function loginRoutes(deps: { auth: DashboardAuth; guard: GuessGuard }) {
  const app = new Hono()
  const { limiter, addressOf } = deps.guard

  app.get('/login', async (c) => {
    const token = c.req.query('token')
    const next = safeNextPath(c.req.query('next'))
    if (token) {
      const issued = await deps.auth.loginWithLink(token)
      if (issued) {
        setSessionCookie(c, issued.token, deps.auth.sessionTtlMs)
        return c.redirect(next, 303)
      }
      return c.html(
        <LoginPage
          next={next}
          error="This login link is invalid, expired or already used."
          readOnly={deps.auth.readOnly}
        />,
        401,
      )
    }
    return c.html(<LoginPage next={next} error={undefined} readOnly={deps.auth.readOnly} />)
  })

  app.post('/login', async (c) => {
    const form = await c.req.parseBody()
    const next = safeNextPath(typeof form.next === 'string' ? form.next : undefined)
    const address = addressOf(c)
    if (limiter.blocked(address)) {
      c.header('retry-after', String(RETRY_AFTER_SECONDS))
      return c.html(
        <LoginPage
          next={next}
          error="Too many failed attempts; wait a few minutes."
          readOnly={deps.auth.readOnly}
        />,
        429,
      )
    }
    const key = typeof form.key === 'string' ? form.key.trim() : ''
    const issued = key ? await deps.auth.login(key) : undefined
    if (!issued) {
      limiter.fail(address)
      return c.html(
        <LoginPage next={next} error="That key is not valid here." readOnly={deps.auth.readOnly} />,
        401,
      )
    }
    setSessionCookie(c, issued.token, deps.auth.sessionTtlMs)
    return c.redirect(next, 303)
  })

  app.post('/logout', async (c) => {
    const resolution = await deps.auth.resolve({
      cookie: getCookie(c, SESSION_COOKIE),
      dashboardKey: undefined,
    })
    if (resolution.ok && resolution.viewer.session) deps.auth.logout(resolution.viewer.session)
    deleteCookie(c, SESSION_COOKIE, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c),
    })
    return c.redirect('/login', 303)
  })

  return app
}

/**
 * httpOnly (no script reads it), SameSite=Strict (never sent on requests another site starts;
 * the cross-site navigation case is handled in requireViewer), Secure when served over HTTPS.
 */
function setSessionCookie(c: Context, token: string, ttlMs: number) {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    maxAge: Math.floor(ttlMs / 1000),
  })
}

// A TLS-terminating proxy says so in X-Forwarded-Proto; trusting it can only add Secure.
function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
}
