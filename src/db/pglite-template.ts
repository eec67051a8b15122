import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openPgliteWorker } from './database.ts'
import { loadMigrations, migrate, type Migration } from './migrate.ts'

// Bump when what goes into a template changes other than PGlite or the migrations.
const TEMPLATE_FORMAT = 1

/**
 * Where templates are kept unless told otherwise: the package's `node_modules/.cache`, the
 * usual home of a package's derived files, so every data directory on the machine shares one.
 */
export function defaultTemplateDir(): string {
  const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
  return join(packageRoot, 'node_modules', '.cache', 'claude-nexus-proxy')
}

/** The template's file: named by what made it, so a PGlite upgrade or a new migration makes a new one. */
export async function templatePath(dir: string, migrations: Migration[]): Promise<string> {
  const pgliteManifest = fileURLToPath(
    new URL('../package.json', import.meta.resolve('@electric-sql/pglite')),
  )
  const pgliteVersion = (JSON.parse(await readFile(pgliteManifest, 'utf8')) as { version: string })
    .version
  const hash = createHash('sha256').update(`${TEMPLATE_FORMAT}\n${pgliteVersion}\n`)
  for (const m of migrations) hash.update(`${m.version}\n${m.name}\n${m.sql}\n`)
  return join(dir, `pglite-${pgliteVersion}-${hash.digest('hex').slice(0, 16)}.tar`)
}

/**
 * A tarball of a freshly created and fully migrated PGlite data directory, made once (initdb
 * plus every migration: the slow part of a first start) and unpacked for each new data
 * directory. It is made in a worker of its own, so initdb's memory leaves with that worker.
 */
export async function ensurePgliteTemplate(
  dir: string,
  progress: (line: string) => void,
  migrations?: Migration[],
): Promise<string> {
  const all = migrations ?? (await loadMigrations())
  const path = await templatePath(dir, all)
  if (existsSync(path)) return path
  await mkdir(dir, { recursive: true })
  progress(`creating the embedded database template (once per install): initdb and migrations`)
  const { db, client } = openPgliteWorker(undefined)
  try {
    await migrate(db, all)
    await client.dump(path)
  } finally {
    await db.close()
  }
  return path
}
