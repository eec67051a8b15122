import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * DATA_DIR holds the database, the spool, the dashboard key and the session secret: only the
 * service user may enter it. Creates it 0700; an existing directory open to group or others is
 * tightened, and the returned warning says so (someone made it that way, they should know).
 */
export function secureDataDir(dir: string): string | undefined {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const mode = statSync(dir).mode & 0o777
  if ((mode & 0o077) === 0) return undefined
  chmodSync(dir, 0o700)
  return `DATA_DIR ${dir} was mode ${mode.toString(8).padStart(4, '0')}; tightened to 0700 (it holds stored conversations and secrets)`
}

/**
 * Files and directories this process creates are for its own user only (0600 / 0700):
 * PGlite writes its files with the default 0666, and no file in DATA_DIR is meant for others.
 */
export function restrictNewFiles(): void {
  process.umask(0o077)
}

/**
 * PGlite sets its files' modes itself (0666/0755, the umask notwithstanding), so after it has
 * written them they are tightened here: 0600 for files, 0700 for directories. Files it makes
 * later sit inside DATA_DIR (0700), which nobody else can enter; the next start tightens them.
 */
export function tightenTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const mode = statSync(path).mode & 0o777
    if (entry.isDirectory()) {
      if (mode & 0o077) chmodSync(path, 0o700)
      tightenTree(path)
    } else if (mode & 0o077) {
      chmodSync(path, 0o600)
    }
  }
}
