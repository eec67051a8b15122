import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Database } from './database.ts'

export interface Migration {
  version: number
  name: string
  sql: string
}

const SRC_DIR = fileURLToPath(new URL('..', import.meta.url))
// Any constant works; it only has to be the same for every process running migrations.
const MIGRATION_LOCK_ID = 727_001

/**
 * Migrations live beside the capability that owns them (`src/<capability>/migrations/`)
 * and are numbered globally: `NNN_name.sql`.
 */
export async function loadMigrations(srcDir = SRC_DIR): Promise<Migration[]> {
  const found: Migration[] = []
  for (const capability of await readdir(srcDir, { withFileTypes: true })) {
    if (!capability.isDirectory()) continue
    const dir = join(srcDir, capability.name, 'migrations')
    const files = await readdir(dir).catch(() => [] as string[])
    for (const file of files) {
      const match = /^(\d+)_(.+)\.sql$/.exec(file)
      if (!match?.[1] || !match[2]) continue
      const text = await readFile(join(dir, file), 'utf8')
      found.push({ version: Number(match[1]), name: match[2], sql: text })
    }
  }
  found.sort((a, b) => a.version - b.version)
  for (let i = 1; i < found.length; i++) {
    if (found[i]?.version === found[i - 1]?.version) {
      throw new Error(`Two migrations share version ${found[i]?.version}`)
    }
  }
  return found
}

/** Applies pending migrations in order; safe when several processes start at once. */
export async function migrate(db: Database, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations())
  return db.kysely.connection().execute(async (conn) => {
    if (db.backend === 'postgres')
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn)
    try {
      await sql`create table if not exists schema_migrations (
        version integer primary key, name text not null, applied_at timestamptz not null default now())`.execute(
        conn,
      )
      const rows = await conn.selectFrom('schema_migrations').select('version').execute()
      const applied = new Set(rows.map((r) => r.version))
      const done: string[] = []
      for (const m of all) {
        if (applied.has(m.version)) continue
        await conn.transaction().execute(async (tx) => {
          await sql.raw(m.sql).execute(tx)
          await tx
            .insertInto('schema_migrations')
            .values({ version: m.version, name: m.name })
            .execute()
        })
        done.push(`${m.version}_${m.name}`)
      }
      return done
    } finally {
      if (db.backend === 'postgres')
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn)
    }
  })
}

let known: Promise<number[]> | undefined

/** Whether every migration this build has is applied (readiness; `nexus migrate` fixes it). */
export async function migrationsApplied(db: Database): Promise<boolean> {
  known ??= loadMigrations().then((all) => all.map((m) => m.version))
  const rows = await db.kysely.selectFrom('schema_migrations').select('version').execute()
  const applied = new Set(rows.map((r) => r.version))
  return (await known).every((v) => applied.has(v))
}
