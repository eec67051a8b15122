import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { GithubSyncConfig } from '../config.ts'
import type { Log } from '../log.ts'
import { writeFileAtomic } from '../credentials/atomic-write.ts'
import { syncFromGithub, type SyncResult } from './github-sync.ts'

/** What the dashboard and `nexus prompts sync` show; kept in DATA_DIR/mcp-sync.json. */
export interface SyncStatus {
  lastRunAt: string
  ok: boolean
  error?: string
  /** The commit of the last successful sync. */
  commit?: string
  result?: SyncResult
}

export function syncStatusFile(dataDir: string): string {
  return join(dataDir, 'mcp-sync.json')
}

export async function readSyncStatus(dataDir: string): Promise<SyncStatus | undefined> {
  try {
    return JSON.parse(await readFile(syncStatusFile(dataDir), 'utf8')) as SyncStatus
  } catch {
    return undefined
  }
}

export interface RunSyncDeps {
  github: GithubSyncConfig
  promptsDir: string
  dataDir: string
  fetch: typeof fetch
  log: Log
  clock?: () => number
}

/** One sync with its status recorded; a failure is recorded and returned, never thrown. */
export async function runSync(deps: RunSyncDeps): Promise<SyncStatus> {
  const previous = await readSyncStatus(deps.dataDir)
  const lastRunAt = new Date((deps.clock ?? Date.now)()).toISOString()
  let status: SyncStatus
  try {
    const result = await syncFromGithub({ ...deps, lastCommit: previous?.commit })
    status = { lastRunAt, ok: true, commit: result.commit, result }
    if (result.changed) {
      deps.log.info('prompts synced from GitHub', {
        commit: result.commit,
        added: result.added.length,
        updated: result.updated.length,
        refused: result.refused.length,
      })
    }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err)
    deps.log.error('prompt sync from GitHub failed', { error })
    status = { lastRunAt, ok: false, error }
    if (previous?.commit !== undefined) status.commit = previous.commit
  }
  await writeFileAtomic(syncStatusFile(deps.dataDir), JSON.stringify(status, null, 2))
  return status
}
