import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import { streamSSE } from 'hono/streaming'
import { errorBody } from '../../errors.ts'
import type { DashboardAuth } from '../auth/dashboard-auth.ts'
import { SESSION_COOKIE, type DashboardEnv } from '../auth/middleware.ts'
import { inScope } from '../auth/scope.ts'
import type { EventBus, LiveEvent } from '../live/live-events.ts'

const SHUTDOWN_RETRY_MS = 5_000

export interface EventsDeps {
  bus: EventBus
  auth: DashboardAuth
  heartbeatMs?: number
  maxClients?: number
}

/**
 * `GET /events`: Server-Sent Events for the live pages. Behind requireViewer like every
 * route, filtered to the viewer's domains, and re-checked at every heartbeat, so a stream
 * ends when its session expires, is logged out or its key is revoked. On shutdown every
 * stream gets a `shutdown` event and ends: an open tab must not hold the server open.
 */
export function eventsRoutes(deps: EventsDeps) {
  const app = new Hono<DashboardEnv>()
  const heartbeatMs = deps.heartbeatMs ?? 15_000
  const maxClients = deps.maxClients ?? 500
  let clients = 0

  app.get('/events', (c) => {
    if (deps.bus.closing.aborted) {
      return c.json(errorBody('overloaded_error', 'The server is shutting down'), 503)
    }
    if (clients >= maxClients) {
      return c.json(errorBody('overloaded_error', 'Too many live connections'), 503)
    }
    const viewer = c.var.viewer
    const credentials = {
      cookie: getCookie(c, SESSION_COOKIE),
      dashboardKey: c.req.header('x-dashboard-key'),
    }
    c.header('cache-control', 'no-store')
    return streamSSE(c, async (stream) => {
      clients++
      const pending: LiveEvent[] = []
      let wake: (() => void) | undefined
      const unsubscribe = deps.bus.subscribe((event) => {
        if (!inScope(viewer.scope, event.domain)) return
        pending.push(event)
        wake?.()
      })
      stream.onAbort(() => wake?.())
      const onClosing = () => wake?.()
      deps.bus.closing.addEventListener('abort', onClosing)
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ viewer: viewer.label }) })
        let nextBeat = Date.now() + heartbeatMs
        while (!stream.aborted && !stream.closed) {
          if (deps.bus.closing.aborted) {
            // The browser reconnects after `retry` ms: by then a restarted server is back.
            await stream.writeSSE({ event: 'shutdown', data: '{}', retry: SHUTDOWN_RETRY_MS })
            break
          }
          const event = pending.shift()
          if (event) {
            await stream.writeSSE({ event: event.type, data: JSON.stringify(event) })
            continue
          }
          const wait = nextBeat - Date.now()
          if (wait > 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, wait)
              wake = () => {
                clearTimeout(timer)
                resolve()
              }
            })
            wake = undefined
            continue
          }
          const still = await deps.auth.resolve(credentials)
          if (!still.ok) {
            await stream.writeSSE({ event: 'logged-out', data: '{}' })
            break
          }
          await stream.writeSSE({ event: 'ping', data: '{}' })
          nextBeat = Date.now() + heartbeatMs
        }
      } finally {
        deps.bus.closing.removeEventListener('abort', onClosing)
        unsubscribe()
        clients--
      }
    })
  })

  return app
}
