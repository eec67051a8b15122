import { randomBytes } from 'node:crypto'
import { after, before, describe } from 'node:test'
import { openPglite, openPostgres, type Backend, type Database } from '../src/db/database.ts'
import { migrate } from '../src/db/migrate.ts'

/** Backends this run covers; `npm test` sets both. */
export const testBackends: Backend[] = (process.env.NEXUS_TEST_BACKENDS ?? 'pglite,postgres')
  .split(',')
  .map((b) => b.trim())
  .filter((b): b is Backend => b === 'pglite' || b === 'postgres')

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nexus_test'
}

export interface TestDatabase {
  db: Database
  /** The PostgreSQL schema this test owns (postgres only). */
  schema: string | undefined
  close(): Promise<void>
}

/**
 * A migrated database of its own: a fresh in-memory PGlite, or a fresh schema on the shared
 * PostgreSQL test database (dropped on close).
 */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const db = openPglite(undefined)
    await migrate(db)
    return { db, schema: undefined, close: () => db.close() }
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = openPostgres({ url: testDatabaseUrl(), maxConnections: 1 })
  await admin.exec(`create schema ${schema}`)
  const db = openPostgres({ url: testDatabaseUrl(), schema })
  await migrate(db)
  return {
    db,
    schema,
    async close() {
      await db.close()
      await admin.exec(`drop schema ${schema} cascade`)
      await admin.close()
    },
  }
}

/** Registers the same suite once per backend, each with its own migrated database. */
export function describeEachDatabase(
  title: string,
  suite: (ctx: { db: () => Database; backend: Backend; schema: () => string | undefined }) => void,
): void {
  for (const backend of testBackends) {
    describe(`${title} [${backend}]`, () => {
      let handle: TestDatabase | undefined
      before(async () => {
        handle = await openTestDatabase(backend)
      })
      after(async () => {
        await handle?.close()
      })
      const db = () => {
        if (!handle) throw new Error('database not open yet')
        return handle.db
      }
      suite({ db, backend, schema: () => handle?.schema })
    })
  }
}
