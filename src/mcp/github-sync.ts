import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { GithubSyncConfig } from '../config.ts'
import type { Log } from '../log.ts'
import { writeFileAtomic } from '../credentials/atomic-write.ts'
import { MAX_PROMPT_FILE_BYTES } from './prompt-catalog.ts'
import { promptNameOf } from './prompt-definition.ts'

export interface SyncResult {
  /** The head commit of the branch at this sync. */
  commit: string
  /** False when the head had not moved since the last sync: nothing was read or written. */
  changed: boolean
  added: string[]
  updated: string[]
  unchanged: number
  refused: { name: string; reason: string }[]
}

export interface GithubSyncDeps {
  github: GithubSyncConfig
  promptsDir: string
  fetch: typeof fetch
  log: Log
  /** The commit of the last successful sync, if any. */
  lastCommit: string | undefined
}

interface ContentEntry {
  type: string
  name: string
  path: string
  sha: string
}

// A repository name that is not one plain file name is refused: it could place a file
// anywhere on this machine.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml$/

/**
 * Copies the YAML files of one folder of a GitHub repository into the prompts directory through
 * the REST API. Only files whose content differs are written (compared by git blob hash), each
 * atomically; files that exist only locally are kept.
 */
export async function syncFromGithub(deps: GithubSyncDeps): Promise<SyncResult> {
  const { github } = deps
  const repoUrl = `${github.apiUrl}/repos/${enc(github.owner)}/${enc(github.repo)}`
  const head = await getJson<{ sha?: unknown }>(deps, `${repoUrl}/commits/${enc(github.branch)}`)
  if (typeof head.sha !== 'string') throw new Error('GitHub answered without a commit sha')
  const result: SyncResult = {
    commit: head.sha,
    changed: false,
    added: [],
    updated: [],
    unchanged: 0,
    refused: [],
  }
  if (head.sha === deps.lastCommit) return result
  result.changed = true
  const folder = github.path.split('/').filter(Boolean).map(enc).join('/')
  const ref = `?ref=${enc(head.sha)}`
  const listing = await getJson<unknown>(deps, `${repoUrl}/contents/${folder}${ref}`)
  if (!Array.isArray(listing))
    throw new Error(`${github.path || '/'} is not a folder in ${github.owner}/${github.repo}`)
  const root = resolve(deps.promptsDir)
  for (const entry of listing as ContentEntry[]) {
    if (entry.type !== 'file' || promptNameOf(String(entry.name)) === undefined) continue
    const reason = unsafeName(entry.name, root)
    if (reason) {
      result.refused.push({ name: entry.name, reason })
      deps.log.error('prompt sync refused a file name', { name: entry.name, reason })
      continue
    }
    const target = join(root, entry.name)
    const local = await readFile(target).catch(() => undefined)
    if (local && gitBlobSha(local) === entry.sha) {
      result.unchanged++
      continue
    }
    const file = await getJson<{ content?: unknown; encoding?: unknown; size?: unknown }>(
      deps,
      `${repoUrl}/contents/${entry.path.split('/').map(enc).join('/')}${ref}`,
    )
    if (typeof file.content !== 'string' || file.encoding !== 'base64') {
      result.refused.push({ name: entry.name, reason: 'no base64 content (too large?)' })
      continue
    }
    const bytes = Buffer.from(file.content, 'base64')
    if (bytes.length > MAX_PROMPT_FILE_BYTES) {
      result.refused.push({
        name: entry.name,
        reason: `${bytes.length} bytes; the limit is ${MAX_PROMPT_FILE_BYTES}`,
      })
      continue
    }
    await writeFileAtomic(target, bytes.toString('utf8'), 0o644)
    ;(local ? result.updated : result.added).push(entry.name)
  }
  return result
}

/** Why a repository file name may not be written, or undefined when it may. */
export function unsafeName(name: string, root: string): string | undefined {
  if (isAbsolute(name) || name.includes('/') || name.includes('\\')) return 'not a plain file name'
  if (name.includes('..')) return 'contains ..'
  if (!SAFE_NAME.test(name)) return 'not a prompt file name (letters, digits, _ . - and .yaml)'
  if (dirname(resolve(root, name)) !== root) return 'outside the prompts directory'
  return undefined
}

/** The hash git gives a file's content, which the contents API returns as `sha`. */
export function gitBlobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex')
}

async function getJson<T>(deps: GithubSyncDeps, url: string): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'claude-nexus-proxy',
  }
  if (deps.github.token) headers.authorization = `Bearer ${deps.github.token}`
  const res = await deps.fetch(url, { headers, signal: AbortSignal.timeout(30_000) })
  if (!res.ok) {
    const path = new URL(url).pathname
    throw new Error(`GitHub answered ${res.status} for ${path}`)
  }
  return (await res.json()) as T
}

const enc = encodeURIComponent
