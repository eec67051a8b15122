import type { Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { BadRequestError } from '../errors.ts'
import { writeFileAtomic } from './atomic-write.ts'
import {
  clientKeysOf,
  credentialFileNames,
  CredentialFileError,
  parseCredentialFile,
} from './credential-file.ts'
import type { CredentialFile, OAuthCredential } from './credential-file.ts'
import { parseDomain } from './domain.ts'
import { sha256 } from './hash.ts'
import { silentLog } from './log.ts'
import type { Log } from './log.ts'

/** One parsed credential file. Its absolute path identifies the account it holds. */
export interface LoadedCredential<F extends CredentialFile = CredentialFile> {
  path: string
  fileName: string
  file: F
  /** SHA-256 of each client key, computed once per file version rather than per request. */
  clientKeyHashes: readonly Buffer[]
}

export type LoadedOAuthCredential = LoadedCredential<OAuthCredential>

export function isOAuth(loaded: LoadedCredential): loaded is LoadedOAuthCredential {
  return loaded.file.type === 'oauth'
}

export interface CredentialStore {
  /** The credential for a canonical domain, or undefined when no file exists (pass-through). */
  find(domain: string): Promise<LoadedCredential | undefined>
  /** Checks one file on disk now, ignoring the recheck interval. */
  reload(path: string): Promise<LoadedCredential | undefined>
  /** Writes a new version of a file atomically (mode 0600) and serves it from then on. */
  update(path: string, file: CredentialFile): Promise<LoadedCredential>
}

export interface CredentialStoreDeps {
  dir: string
  clock?: () => number
  log?: Log
  /** How long a lookup, found or missing, is trusted before the disk is checked again. */
  recheckMs?: number
  /** Bound on remembered domains, since the Host header is chosen by clients. */
  maxDomains?: number
}

interface FileEntry {
  version: string
  loaded?: LoadedCredential
  error?: CredentialFileError
}

interface DomainEntry {
  checkedAt: number
  path: string | undefined
  pending: Promise<void> | undefined
}

/**
 * Loads credential files on demand and keeps them in memory. Changes are noticed by polling:
 * at most once per `recheckMs` per domain a `stat` compares mtime, ctime, size and inode with
 * the cached version, and only a difference causes a re-read. Polling was chosen over
 * fs.watch because watch events are unreliable on bind mounts, network volumes and the
 * symlink swaps Kubernetes uses for secrets, and it needs no handles to close.
 */
export function createCredentialStore(deps: CredentialStoreDeps): CredentialStore {
  const dir = resolve(deps.dir)
  const clock = deps.clock ?? Date.now
  const log = deps.log ?? silentLog
  const recheckMs = deps.recheckMs ?? 1000
  const maxDomains = deps.maxDomains ?? 10_000
  const domains = new Map<string, DomainEntry>()
  const files = new Map<string, FileEntry>()

  function cached(path: string | undefined): LoadedCredential | undefined {
    if (path === undefined) return undefined
    const entry = files.get(path)
    if (entry?.error) throw entry.error
    return entry?.loaded
  }

  function domainEntry(domain: string): DomainEntry {
    const known = domains.get(domain)
    if (known) return known
    // Re-validated here because the result becomes a file name; callers should already
    // pass the output of parseDomain, so this never fires in a correct caller.
    if (parseDomain(domain) !== domain) throw new BadRequestError('The Host header is invalid')
    if (domains.size >= maxDomains) {
      const oldest = domains.keys().next()
      if (!oldest.done) domains.delete(oldest.value)
    }
    const entry: DomainEntry = { checkedAt: -Infinity, path: undefined, pending: undefined }
    domains.set(domain, entry)
    return entry
  }

  async function checkDomain(domain: string, entry: DomainEntry): Promise<void> {
    let found: string | undefined
    for (const name of credentialFileNames(domain)) {
      const path = join(dir, name)
      if (await syncFile(path)) {
        found = path
        break
      }
    }
    entry.path = found
    entry.checkedAt = clock()
  }

  /** Brings the cache for one path up to date; false when the file does not exist. */
  async function syncFile(path: string): Promise<boolean> {
    let stats: Stats
    try {
      stats = await stat(path)
    } catch (err) {
      if (isMissing(err)) {
        files.delete(path)
        return false
      }
      remember(path, `error:${errorCode(err)}`, unreadable(path, err))
      return true
    }
    if (files.get(path)?.version === versionOf(stats)) return true
    return load(path)
  }

  async function load(path: string): Promise<boolean> {
    let text: string
    let version: string
    try {
      // Stat and read through one handle so the version matches the bytes actually read.
      const handle = await open(path, 'r')
      try {
        const stats = await handle.stat()
        if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' })
        version = versionOf(stats)
        text = await handle.readFile('utf8')
      } finally {
        await handle.close()
      }
    } catch (err) {
      if (isMissing(err)) {
        files.delete(path)
        return false
      }
      remember(path, `error:${errorCode(err)}`, unreadable(path, err))
      return true
    }
    try {
      const file = parseCredentialFile(text, basename(path))
      files.set(path, { version, loaded: toLoaded(path, file) })
      log.info('credential file loaded', { file: basename(path), type: file.type })
    } catch (err) {
      if (!(err instanceof CredentialFileError)) throw err
      remember(path, version, err)
    }
    return true
  }

  function remember(path: string, version: string, error: CredentialFileError): void {
    if (files.get(path)?.version !== version) log.warn(error.message, { file: basename(path) })
    files.set(path, { version, error })
  }

  return {
    async find(domain) {
      const entry = domainEntry(domain)
      if (clock() - entry.checkedAt >= recheckMs) {
        // Concurrent requests for a stale domain share one disk check.
        entry.pending ??= checkDomain(domain, entry).finally(() => {
          entry.pending = undefined
        })
        await entry.pending
      }
      return cached(entry.path)
    },

    async reload(path) {
      return (await syncFile(path)) ? cached(path) : undefined
    },

    async update(path, file) {
      const loaded = toLoaded(path, file)
      const previous = files.get(path)?.version ?? 'unwritten'
      try {
        await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600)
        files.set(path, { version: versionOf(await stat(path)), loaded })
      } catch (err) {
        // The new tokens are kept in memory under the old version, so the stale file on disk
        // is not read back over them; the operator must fix the directory before a restart.
        log.error('could not write credential file; new tokens are only in memory', {
          file: basename(path),
          code: errorCode(err),
        })
        files.set(path, { version: previous, loaded })
      }
      return loaded
    },
  }
}

function toLoaded(path: string, file: CredentialFile): LoadedCredential {
  const clientKeyHashes = clientKeysOf(file).map((key) => sha256(key))
  return { path, fileName: basename(path), file, clientKeyHashes }
}

function versionOf(stats: Stats): string {
  return `${stats.mtimeMs}:${stats.ctimeMs}:${stats.size}:${stats.ino}`
}

function isMissing(err: unknown): boolean {
  const code = errorCode(err)
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'EUNKNOWN'
}

function unreadable(path: string, err: unknown): CredentialFileError {
  return new CredentialFileError(
    `Credential file ${basename(path)} cannot be read (${errorCode(err)}); it must be a file the proxy can read`,
  )
}
