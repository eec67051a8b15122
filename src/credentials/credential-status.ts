import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { CREDENTIALS_SUFFIX, parseCredentialFile } from './credential-file.ts'

/** One credential file as `nexus oauth status` reports it; never a secret. */
export interface CredentialStatus {
  file: string
  domain: string
  kind: 'oauth' | 'api_key' | 'invalid'
  accountId: string | null
  /** OAuth: when the access token expires (ms since the epoch). */
  expiresAt: number | null
  /** OAuth: when the tokens were last obtained (login or refresh); null if never recorded. */
  refreshedAt: number | null
  /** The file's last modification: a refresh rewrites it, so it bounds the last refresh. */
  modifiedAt: number
  mode: string
  /** Why the file cannot be used (names fields, never content). */
  error: string | null
}

/** Every `*.credentials.json` in the directory, sorted by name; [] when it does not exist. */
export async function credentialStatuses(dir: string): Promise<CredentialStatus[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const files = names.filter((n) => n.endsWith(CREDENTIALS_SUFFIX)).sort()
  return Promise.all(files.map((name) => statusOf(dir, name)))
}

async function statusOf(dir: string, name: string): Promise<CredentialStatus> {
  const path = join(dir, name)
  const stats = await stat(path)
  const base = {
    file: name,
    domain: name.slice(0, -CREDENTIALS_SUFFIX.length),
    modifiedAt: Math.round(stats.mtimeMs),
    mode: (stats.mode & 0o777).toString(8).padStart(4, '0'),
  }
  try {
    const file = parseCredentialFile(await readFile(path, 'utf8'), name)
    const oauth = file.type === 'oauth' ? file.oauth : undefined
    const refreshedAt = oauth?.['refreshedAt']
    return {
      ...base,
      kind: file.type,
      accountId: file.accountId,
      expiresAt: oauth?.expiresAt ?? null,
      refreshedAt: typeof refreshedAt === 'number' ? refreshedAt : null,
      error: null,
    }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err)
    return { ...base, kind: 'invalid', accountId: null, expiresAt: null, refreshedAt: null, error }
  }
}

/** A table for a terminal: one line per file, times relative to `now`. */
export function formatStatuses(statuses: readonly CredentialStatus[], now: number): string {
  if (statuses.length === 0) return 'no credential files\n'
  const rows = statuses.map((s) => [
    s.domain,
    s.kind,
    s.accountId ?? '-',
    s.expiresAt === null ? '-' : relative(s.expiresAt, now),
    s.refreshedAt === null ? '-' : relative(s.refreshedAt, now),
    s.mode,
  ])
  const header = ['DOMAIN', 'KIND', 'ACCOUNT', 'EXPIRES', 'LAST REFRESH', 'MODE']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  const errors = statuses.flatMap((s) => (s.error ? [`  ${s.file}: ${s.error}`] : []))
  return [line(header), ...rows.map(line), ...errors].join('\n') + '\n'
}

/** `in 2h 5m`, `3m ago`: what an operator reads at a glance. */
export function relative(at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000)
  const text = duration(Math.abs(seconds))
  return seconds >= 0 ? `in ${text}` : `${text} ago`
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h ${minutes % 60}m`
  return `${Math.floor(hours / 24)}d`
}
