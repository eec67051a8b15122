import { mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { createApp, type App } from '../src/app.ts'
import { loadConfig, type Config } from '../src/config.ts'
import type { Database } from '../src/db/database.ts'
import { silentLog, type Log } from '../src/log.ts'
import type { Upstream } from '../src/proxy/upstream.ts'
import { MockAnthropic } from './mock-anthropic.ts'
import { storedBodyColumn } from '../src/storage/content-store.ts'

export interface ProxyHarness {
  app: App
  config: Config
  mock: MockAnthropic
  /** Base URL of the listening proxy. */
  url: string
  dataDir: string
  credentialsDir: string
  close(): Promise<void>
}

/** A real listening proxy in front of a real loopback mock upstream, storing into `db`. */
export async function startProxy(
  db: Database | null,
  env: Record<string, string> = {},
  log: Log = silentLog,
  /** Wraps or replaces the upstream client, given the mock's URL. */
  upstream?: (mockUrl: string) => Upstream,
): Promise<ProxyHarness> {
  const mock = new MockAnthropic()
  await mock.start()
  const dataDir = await mkdtemp(join(tmpdir(), 'nexus-data-'))
  const credentialsDir = await mkdtemp(join(tmpdir(), 'nexus-creds-'))
  const config = loadConfig({
    CLAUDE_API_BASE_URL: mock.url,
    DATA_DIR: dataDir,
    CREDENTIALS_DIR: credentialsDir,
    STORAGE_FLUSH_INTERVAL_MS: '5',
    STORAGE_RETRY_INTERVAL_MS: '50',
    LOG_LEVEL: 'silent',
    ...env,
  })
  const app = createApp({ config, db, log, ...(upstream ? { upstream: upstream(mock.url) } : {}) })
  await app.start()
  const server: Server = app.createProxyServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    app,
    config,
    mock,
    url,
    dataDir,
    credentialsDir,
    async close() {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await app.stop()
      await mock.close()
      await rm(dataDir, { recursive: true, force: true })
      await rm(credentialsDir, { recursive: true, force: true })
    },
  }
}

/** Waits until the writer has stored `requestId` and returns its row. */
export async function waitForRow(db: Database, requestId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const row = await db.kysely
      .selectFrom('api_requests')
      .selectAll()
      .select(storedBodyColumn())
      .where('request_id', '=', requestId)
      .executeTakeFirst()
    // The body as every reader sees it, whichever format the row has.
    if (row) {
      const { stored_body, ...rest } = row
      return { ...rest, body: stored_body }
    }
    if (Date.now() > deadline)
      throw new Error(`request ${requestId} was not stored within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export async function countRows(db: Database, domain: string): Promise<number> {
  const r = await sql<{
    n: number
  }>`select count(*)::int as n from api_requests where domain = ${domain}`.execute(db.kysely)
  return r.rows[0]?.n ?? 0
}

/** Random per-test client key, so tests sharing a database never see each other's rows. */
export function testKey(): string {
  return `sk-ant-api03-test${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
}
