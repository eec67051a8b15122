import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'

export class DataDirLockedError extends Error {}

export interface DataDirLock {
  /** Synchronous, so it also runs on a forced exit; idempotent; never removes another pid's lock. */
  release(): void
  /** The pid of a dead process whose lock was taken over, if any. */
  tookOverFrom: number | undefined
}

/**
 * PGlite does not stop two processes from opening the same data directory (which corrupts
 * it), so we do: an exclusive lock file holding our pid. A lock whose pid is gone is stale
 * (left by a kill) and taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, 'nexus.lock')
  let tookOverFrom: number | undefined
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return { release: releaser(path), tookOverFrom }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = readOwner(path)
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(
          `The data directory ${dataDir} is in use by another nexus process (pid ${owner}). ` +
            'Stop it first, or point DATA_DIR elsewhere; use DATABASE_URL to share PostgreSQL between processes.',
        )
      }
      if (owner && owner !== process.pid) tookOverFrom = owner
      rmSync(path, { force: true })
    }
  }
  throw new DataDirLockedError(`Could not lock ${dataDir}`)
}

function releaser(path: string): () => void {
  let released = false
  return () => {
    if (released) return
    released = true
    // Between our release and our exit another process may have locked the directory.
    if (readOwner(path) === process.pid) rmSync(path, { force: true })
  }
}

function readOwner(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
