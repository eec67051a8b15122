import { Hono } from 'hono'
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'

/**
 * The dashboard's placeholder until its pages land: it proves the port is served and shows
 * only counts, never request content, so it leaks nothing while unauthenticated.
 */
export function dashboardApp(deps: { db: Database | null }) {
  const app = new Hono()
  app.get('/', async (c) => {
    const stored = deps.db
      ? ((await sql<{ n: number }>`select count(*)::int as n from api_requests`.execute(deps.db.kysely)).rows[0]?.n ?? 0)
      : 0
    return c.html(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Claude Nexus Proxy</title>
        </head>
        <body>
          <h1>Claude Nexus Proxy</h1>
          <p>Stored requests: {stored}</p>
        </body>
      </html>,
    )
  })
  app.get('/health', (c) => c.json({ status: 'ok' }))
  return app
}
