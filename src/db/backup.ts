import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { sql } from 'kysely'
import { openPgliteWorker } from './database.ts'
import { lockDataDir } from './data-dir-lock.ts'

/**
 * Where the data lives: the embedded database (`DATA_DIR/pglite`) or PostgreSQL. Backups are
 * native to each: PGlite's own data-directory tarball, `pg_dump`'s custom format.
 */
export type BackupTarget =
  { backend: 'pglite'; dataDir: string } | { backend: 'postgres'; url: string }

export type BackupFormat = 'pglite-tar' | 'pg-custom'

export interface BackupResult {
  file: string
  format: BackupFormat
  bytes: number
}

/** A backup or restore that cannot go ahead; `refused` when only `--force` would let it. */
export class BackupError extends Error {
  readonly refused: boolean
  constructor(message: string, refused = false) {
    super(message)
    this.refused = refused
  }
}

/** The embedded database's directory inside DATA_DIR. */
export const pgliteDir = (dataDir: string) => join(dataDir, 'pglite')

/**
 * A consistent copy of the whole database in `file` (written under a temp name, renamed at
 * the end). PGlite: the data directory locked against `nexus start`, dumped between queries.
 * PostgreSQL: `pg_dump`, which reads one snapshot while the proxies keep writing.
 */
export async function backupDatabase(
  target: BackupTarget,
  file: string,
  progress: (line: string) => void,
): Promise<BackupResult> {
  const partial = `${file}.partial`
  await rm(partial, { force: true })
  try {
    if (target.backend === 'pglite') await dumpPglite(target.dataDir, partial, progress)
    else {
      progress('pg_dump --format=custom')
      await startTool('pg_dump', ['--format=custom', `--file=${partial}`, `--dbname=${target.url}`])
        .done
    }
    await rename(partial, file)
  } catch (err) {
    await rm(partial, { force: true })
    throw err
  }
  return {
    file,
    format: target.backend === 'pglite' ? 'pglite-tar' : 'pg-custom',
    bytes: (await stat(file)).size,
  }
}

async function dumpPglite(dataDir: string, file: string, progress: (line: string) => void) {
  const dir = pgliteDir(dataDir)
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    throw new BackupError(`There is no embedded database in ${dir} to back up.`)
  }
  const lock = lockDataDir(dataDir)
  const { db, client } = openPgliteWorker(dir)
  try {
    progress(`dumping ${dir}`)
    await client.dump(file)
  } finally {
    await db.close()
    lock.release()
  }
}

/**
 * Puts a backup back. The target must be empty (no embedded database, or a PostgreSQL
 * database without tables) unless `force`: then the PGlite directory is moved aside (kept
 * as `pglite.replaced-<time>`) and PostgreSQL objects are dropped and recreated by
 * `pg_restore --clean`. Either way the restore is all or nothing.
 */
export async function restoreDatabase(
  target: BackupTarget,
  file: string,
  options: { force: boolean; progress: (line: string) => void; now?: () => number },
): Promise<BackupFormat> {
  const format = await detectBackupFormat(file)
  const wanted: BackupFormat = target.backend === 'pglite' ? 'pglite-tar' : 'pg-custom'
  if (format !== wanted) {
    throw new BackupError(
      `${file} is ${format === undefined ? 'not a nexus backup' : `a ${describe(format)}`}; ` +
        `this installation needs a ${describe(wanted)}.`,
    )
  }
  if (target.backend === 'pglite') {
    await restorePglite(
      target.dataDir,
      file,
      options.force,
      options.now ?? Date.now,
      options.progress,
    )
  } else {
    await restorePostgres(target.url, file, options.force, options.progress)
  }
  return format
}

async function restorePglite(
  dataDir: string,
  file: string,
  force: boolean,
  now: () => number,
  progress: (line: string) => void,
) {
  const lock = lockDataDir(dataDir)
  try {
    const dir = pgliteDir(dataDir)
    const partial = `${dir}.restoring`
    await rm(partial, { recursive: true, force: true })
    progress(`unpacking ${file}`)
    const { db } = openPgliteWorker(partial, file)
    try {
      await sql`select 1`.execute(db.kysely)
    } catch (err) {
      // A tarball PGlite cannot open leaves nothing behind.
      await db.close()
      await rm(partial, { recursive: true, force: true })
      throw new BackupError(`${file} could not be opened as a database: ${(err as Error).message}`)
    }
    await db.close()
    if (existsSync(dir)) {
      if (!force) {
        await rm(partial, { recursive: true, force: true })
        throw new BackupError(`${dir} already holds a database; pass --force to replace it.`, true)
      }
      const aside = `${dir}.replaced-${now()}`
      await rename(dir, aside)
      progress(`the previous database was moved to ${aside}`)
    }
    await rename(partial, dir)
  } finally {
    lock.release()
  }
}

async function restorePostgres(
  url: string,
  file: string,
  force: boolean,
  progress: (line: string) => void,
) {
  const schemas = await userSchemas(url)
  if (schemas.tables > 0 && !force) {
    throw new BackupError(
      `The database already has ${schemas.tables} tables; restore into an empty database, or pass --force to replace them.`,
      true,
    )
  }
  // `pg_restore --clean` cannot drop partitioned tables' inherited constraints, so --force
  // drops the schemas instead, in the same transaction as the restore: a failed restore
  // leaves the old database as it was.
  const prefix = force
    ? schemas.names.map((n) => `drop schema ${quoteIdent(n)} cascade;\n`).join('') +
      'create schema if not exists public;\n'
    : ''
  progress(`restoring ${file}`)
  const script = startTool('pg_restore', ['--no-owner', '--no-privileges', '--file=-', file], {
    stdout: 'pipe',
  })
  const psql = startTool(
    'psql',
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', `--dbname=${url}`],
    { stdin: 'pipe' },
  )
  const input = psql.child.stdin!
  input.on('error', () => undefined) // psql failing early closes it; its own error is reported
  input.write(prefix)
  script.child.stdout!.pipe(input)
  const [restored, applied] = await Promise.allSettled([script.done, psql.done])
  if (applied.status === 'rejected') throw applied.reason
  if (restored.status === 'rejected') throw restored.reason
}

async function userSchemas(url: string): Promise<{ names: string[]; tables: number }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const names = await client.query<{ nspname: string }>(
      `select nspname from pg_namespace
        where nspname not like 'pg\\_%' and nspname <> 'information_schema'`,
    )
    const tables = await client.query<{ n: string }>(
      `select count(*) as n from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema')`,
    )
    return { names: names.rows.map((r) => r.nspname), tables: Number(tables.rows[0]?.n ?? 0) }
  } finally {
    await client.end()
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** What a file is, from its first bytes: pg_dump's custom format or a tar archive. */
export async function detectBackupFormat(file: string): Promise<BackupFormat | undefined> {
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(512)
    const { bytesRead } = await handle.read(head, 0, 512, 0)
    if (bytesRead >= 5 && head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'pg-custom'
    if (bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar')
      return 'pglite-tar'
    return undefined
  } finally {
    await handle.close()
  }
}

function describe(format: BackupFormat): string {
  return format === 'pglite-tar'
    ? 'backup of the embedded database (PGlite tarball)'
    : 'PostgreSQL backup (pg_dump custom format)'
}

interface Tool {
  child: ChildProcess
  /** Resolves on exit 0; rejects with the tool's last stderr otherwise. */
  done: Promise<void>
}

/** Starts pg_dump / pg_restore / psql; stderr is kept for the error message. */
function startTool(
  tool: string,
  args: string[],
  pipes: { stdin?: 'pipe'; stdout?: 'pipe' } = {},
): Tool {
  const child = spawn(tool, args.map(withoutPassword), {
    stdio: [pipes.stdin ?? 'ignore', pipes.stdout ?? 'ignore', 'pipe'],
    env: { ...process.env, ...passwordEnv(args) },
  })
  let tail = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000)
  })
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
      reject(
        new BackupError(
          missing
            ? `${tool} is not on the PATH; install the PostgreSQL client tools (the server's major version or newer).`
            : `${tool} could not start: ${err.message}`,
        ),
      )
    })
    child.on('close', (code) => {
      if (code === 0) resolve()
      else reject(new BackupError(`${tool} failed (exit ${code}): ${tail.trim() || 'no output'}`))
    })
  })
  return { child, done }
}

// A password on the command line is visible to every local user (`ps`); the tools read it
// from PGPASSWORD instead.
function withoutPassword(arg: string): string {
  if (!arg.startsWith('--dbname=')) return arg
  const url = new URL(arg.slice('--dbname='.length))
  url.password = ''
  return `--dbname=${url.toString()}`
}

function passwordEnv(args: string[]): Record<string, string> {
  const dbname = args.find((a) => a.startsWith('--dbname='))
  if (!dbname) return {}
  const password = new URL(dbname.slice('--dbname='.length)).password
  return password ? { PGPASSWORD: decodeURIComponent(password) } : {}
}
