import type { Config } from '../config.ts'
import { backupDatabase, BackupError, restoreDatabase, type BackupTarget } from '../db/backup.ts'
import { parseCommandArgs } from './args.ts'
import { CommandError, EXIT } from './exit-codes.ts'

export const DB_USAGE = `nexus db backup [--file <path>] [--json]
nexus db restore --file <path> [--force] [--json]

  backup    a consistent copy of the whole database: the embedded database as a PGlite
            data-directory tarball (nexus must not be running on it), PostgreSQL with
            pg_dump --format=custom (while the proxies run). Default file:
            nexus-backup-<time>.tar (PGlite) or .dump (PostgreSQL)
  restore   puts a backup back into an empty target (a new DATA_DIR, an empty database);
            --force replaces what is there (the old PGlite directory is kept aside)

  Exit codes: 0 done, 1 failed, 2 usage, 4 refused (the target holds data, no --force).
  docs/cli.md has the details.
`

const OPTIONS = {
  file: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const

/** `nexus db …`; returns the exit code. */
export async function dbCommand(args: string[], config: Config): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, DB_USAGE)
  const [sub, ...extra] = positionals
  if (extra.length > 0 || (sub !== 'backup' && sub !== 'restore')) {
    throw new CommandError(EXIT.usage, DB_USAGE)
  }
  const target: BackupTarget = config.databaseUrl
    ? { backend: 'postgres', url: config.databaseUrl }
    : { backend: 'pglite', dataDir: config.dataDir }
  const progress = (line: string) => process.stderr.write(`${line}\n`)
  try {
    if (sub === 'backup') {
      const file = values.file ?? defaultFile(target)
      const result = await backupDatabase(target, file, progress)
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`)
      else progress(`backup written to ${result.file} (${result.bytes} bytes, ${result.format})`)
      return EXIT.ok
    }
    if (!values.file) throw new CommandError(EXIT.usage, `--file is required\n\n${DB_USAGE}`)
    const format = await restoreDatabase(target, values.file, {
      force: values.force === true,
      progress,
    })
    if (values.json) process.stdout.write(`${JSON.stringify({ file: values.file, format })}\n`)
    else progress(`restored ${values.file}`)
    return EXIT.ok
  } catch (err) {
    if (err instanceof BackupError) {
      throw new CommandError(err.refused ? EXIT.refused : EXIT.failed, err.message)
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CommandError(EXIT.notFound, (err as Error).message)
    }
    throw err
  }
}

function defaultFile(target: BackupTarget): string {
  const time = new Date().toISOString().replace(/[:.]/g, '-')
  return `nexus-backup-${time}.${target.backend === 'pglite' ? 'tar' : 'dump'}`
}
