import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig, type Config } from '../config.ts'
import { openPglite, openPostgres, type Database } from '../db/database.ts'
import { tightenTree } from '../db/data-dir-mode.ts'
import { lockDataDir } from '../db/data-dir-lock.ts'
import { migrate } from '../db/migrate.ts'
import { createPgliteDataDir } from '../db/pglite-data-dir.ts'
import { createLog, type Log } from '../log.ts'
import { StartupError } from './preflight.ts'

/** The environment, with `.env` from the working directory underneath it. */
export function readEnvironment(): Record<string, string | undefined> {
  if (existsSync('.env')) process.loadEnvFile('.env')
  return process.env
}

export function loadRuntimeConfig(): { config: Config; log: Log } {
  const config = loadConfig(readEnvironment())
  return { config, log: createLog(config.logLevel) }
}

export interface OpenedDatabase {
  db: Database
  close(): Promise<void>
  /** For a forced exit: drops the data-dir lock at once (a no-op on PostgreSQL). */
  releaseLock(): void
}

/** PostgreSQL when DATABASE_URL is set, else the embedded database in the data directory. */
export async function openDatabase(
  config: Config,
  log: Log,
  options: { requirePostgres?: string } = {},
): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    const db = openPostgres({ url: config.databaseUrl })
    await runMigrations(db, log)
    return { db, close: () => db.close(), releaseLock: () => {} }
  }
  if (options.requirePostgres) {
    throw new StartupError(
      `${options.requirePostgres} runs against PostgreSQL: set DATABASE_URL. ` +
        'For a single process on the embedded database use `nexus start`.',
    )
  }
  const lock = lockDataDir(config.dataDir)
  if (lock.tookOverFrom) {
    log.warn(
      `took over the data directory lock of pid ${lock.tookOverFrom}, which is gone (it was killed or crashed)`,
    )
  }
  const dir = join(config.dataDir, 'pglite')
  try {
    await createPgliteDataDir(dir, { progress: (line) => log.info(line) })
  } catch (err) {
    lock.release()
    throw err
  }
  const db = openPglite(dir)
  try {
    await runMigrations(db, log)
    tightenTree(config.dataDir)
  } catch (err) {
    await db.close()
    lock.release()
    throw err
  }
  return {
    db,
    async close() {
      await db.close()
      tightenTree(config.dataDir)
      lock.release()
    },
    releaseLock: lock.release,
  }
}

async function runMigrations(db: Database, log: Log) {
  const applied = await migrate(db)
  if (applied.length > 0) log.info('database migrated', { applied })
}
