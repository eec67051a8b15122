import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import pg from 'pg'
import type { Config } from '../config.ts'

/** A start-up problem the operator can fix; the CLI prints its message alone, no stack. */
export class StartupError extends Error {}

export interface PreflightNeeds {
  /** The command as typed, for messages (`nexus proxy`). */
  command: string
  proxyPort?: boolean
  dashboardPort?: boolean
  /** The command opens a database (PostgreSQL when DATABASE_URL is set, else DATA_DIR). */
  database?: boolean
  /** The command cannot run on the embedded database. */
  postgresOnly?: boolean
  /** The command writes into DATA_DIR even on PostgreSQL (spool, dashboard key). */
  dataDir?: boolean
}

/**
 * Checks what a command needs before it migrates or listens, so a wrong setting ends in one
 * line naming it instead of a stack trace from deep inside a driver or `listen()`.
 */
export async function preflight(config: Config, needs: PreflightNeeds): Promise<void> {
  if (needs.postgresOnly && needs.database && !config.databaseUrl) {
    throw new StartupError(
      `\`${needs.command}\` runs against PostgreSQL: set DATABASE_URL. ` +
        'For a single process on the embedded database use `nexus start`.',
    )
  }
  await checkPorts(config, needs)
  if (needs.dataDir || (needs.database && !config.databaseUrl)) checkDataDir(config.dataDir)
  if (needs.database && config.databaseUrl) await checkPostgres(config.databaseUrl)
}

async function checkPorts(config: Config, needs: PreflightNeeds) {
  const ports: [string, number][] = []
  if (needs.proxyPort) ports.push(['PORT', config.proxyPort])
  if (needs.dashboardPort) ports.push(['DASHBOARD_PORT', config.dashboardPort])
  if (ports.length === 2 && config.proxyPort === config.dashboardPort) {
    throw new StartupError(
      `PORT and DASHBOARD_PORT are both ${config.proxyPort}: give the dashboard a port of its own.`,
    )
  }
  for (const [name, port] of ports) await probePort(name, config.host, port)
}

// Bound and released at once: `listen()` comes after migrations, which can take a while.
function probePort(name: string, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new StartupError(listenProblem(name, host, port, err))),
    )
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()))
  })
}

/** One line for a failed `listen()`, shared with the real listen in serve.ts. */
export function listenProblem(
  name: string,
  host: string,
  port: number,
  err: NodeJS.ErrnoException,
): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `${name} ${port} is already in use on ${host}: stop what listens there or set ${name}.`
    case 'EACCES':
      return `${name} ${port} needs privileges on this machine: use a port above 1023.`
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `HOST ${host} is not an address of this machine: use 127.0.0.1 or 0.0.0.0.`
    default:
      return `Cannot listen on ${host}:${port} (${name}): ${err.message}`
  }
}

function checkDataDir(dataDir: string) {
  const probe = join(dataDir, `.nexus-write-test-${process.pid}`)
  try {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(probe, '')
    rmSync(probe)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    throw new StartupError(
      `DATA_DIR ${dataDir} is not a writable directory (${code}): ` +
        'fix its permissions or point DATA_DIR elsewhere.',
    )
  }
}

async function checkPostgres(url: string) {
  const target = describeTarget(url)
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
  // A connection dropped after the check must not crash the process with an 'error' event.
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query('select 1')
  } catch (err) {
    throw new StartupError(`DATABASE_URL: cannot use PostgreSQL at ${target}: ${reason(err)}`)
  } finally {
    await client.end().catch(() => undefined)
  }
}

// Host, port and database only: the URL's password must not reach the terminal or a log.
function describeTarget(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new StartupError(
      'DATABASE_URL is not a URL: expected postgres://user:password@host:5432/database.',
    )
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StartupError(
      `DATABASE_URL must start with postgres:// (got ${parsed.protocol}//): ` +
        'expected postgres://user:password@host:5432/database.',
    )
  }
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { code?: string }
  if (e.code === 'ECONNREFUSED') return 'connection refused (is it running?)'
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host not found'
  if (e.code === '28P01' || e.code === '28000') return `${e.message} (check the user and password)`
  if (e.code === '3D000') return `${e.message} (create it first)`
  return e.message
}
