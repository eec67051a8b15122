import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { openPglite, openPostgres, type Backend, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'
import { createPgliteDataDir } from '../src/db/pglite-data-dir.ts'
import { testDatabaseUrl } from './test-database.ts'

/** A fresh, empty place for a database: a DATA_DIR, or a new PostgreSQL database. */
export interface Place {
  env: Record<string, string>
  open(): Promise<Database>
  drop(): Promise<void>
}

/** For tests of CLI commands, which open their database from the environment. */
export async function newPlace(backend: Backend, root: string): Promise<Place> {
  const name = `nexus_bk_${randomBytes(5).toString('hex')}`
  if (backend === 'pglite') {
    const dataDir = join(root, name)
    return {
      env: { DATA_DIR: dataDir },
      async open() {
        await createPgliteDataDir(join(dataDir, 'pglite'), { progress: () => {} })
        const db = openPglite(join(dataDir, 'pglite'))
        await migrate(db)
        return db
      },
      drop: () => rm(dataDir, { recursive: true, force: true }),
    }
  }
  const admin = openPostgres({ url: testDatabaseUrl(), maxConnections: 1 })
  await admin.exec(`create database ${name}`)
  const url = new URL(testDatabaseUrl())
  url.pathname = `/${name}`
  return {
    env: { DATABASE_URL: url.toString(), DATA_DIR: join(root, `${name}-data`) },
    async open() {
      const db = openPostgres({ url: url.toString() })
      await migrate(db)
      return db
    },
    async drop() {
      await admin.exec(`drop database if exists ${name} with (force)`)
      await admin.close()
    },
  }
}
