import { existsSync } from 'node:fs'
import type { McpConfig } from '../config.ts'
import type { CredentialStore } from '../credentials/credential-store.ts'
import type { Log } from '../log.ts'
import { mcpRoutes, type McpRoutes } from './mcp-routes.ts'
import { PromptCatalog } from './prompt-catalog.ts'
import { readSyncStatus, runSync, type SyncStatus } from './sync-status.ts'

/** What the dashboard's Prompts page reads (src/dashboard/routes/prompt-page-routes.tsx). */
export interface PromptsPageDeps {
  catalog: PromptCatalog
  readStatus(): Promise<SyncStatus | undefined>
  /** Undefined when no GitHub repository is configured. */
  syncNow: (() => Promise<SyncStatus | undefined>) | undefined
  /** `owner/repo@branch:path`, for the sync panel. */
  source: string | undefined
}

export interface McpDeps {
  config: McpConfig
  dataDir: string
  credentialStore: CredentialStore
  log: Log
  fetch: typeof fetch
}

export interface Mcp {
  catalog: PromptCatalog
  routes: McpRoutes
  /** Runs the GitHub sync now; undefined when no repository is configured. */
  syncNow(): Promise<SyncStatus | undefined>
  /** What the dashboard's Prompts page reads. */
  promptsPage: PromptsPageDeps
  start(): Promise<void>
  stop(): Promise<void>
}

/** Null when MCP is off: MCP_ENABLED=false, or unset and the prompts directory is missing. */
export function createMcp(deps: McpDeps): Mcp | null {
  const { config, log } = deps
  if (!(config.enabled ?? existsSync(config.promptsDir))) return null
  const catalog = new PromptCatalog({ dir: config.promptsDir, log })
  const routes = mcpRoutes({ catalog, credentialStore: deps.credentialStore, log })
  let timer: NodeJS.Timeout | undefined
  let running: Promise<SyncStatus | undefined> | undefined
  const syncNow = () => {
    const github = config.github
    if (!github) return Promise.resolve(undefined)
    // One sync at a time: a click during the periodic run waits for it instead of racing it.
    running ??= runSync({
      github,
      promptsDir: config.promptsDir,
      dataDir: deps.dataDir,
      fetch: deps.fetch,
      log,
    })
      .then(async (status) => {
        await catalog.load()
        return status
      })
      .finally(() => (running = undefined))
    return running
  }
  const github = config.github
  return {
    catalog,
    routes,
    syncNow,
    promptsPage: {
      catalog,
      readStatus: () => readSyncStatus(deps.dataDir),
      syncNow: github ? syncNow : undefined,
      source: github
        ? `${github.owner}/${github.repo}@${github.branch}:${github.path || '/'}`
        : undefined,
    },
    async start() {
      await catalog.start()
      log.info('mcp prompts served at /mcp', {
        dir: config.promptsDir,
        prompts: catalog.entries().length,
        skipped: catalog.problems().length,
      })
      const interval = config.github?.intervalSeconds ?? 0
      if (config.github) void syncNow()
      if (interval > 0) timer = setInterval(() => void syncNow(), interval * 1000).unref()
    },
    async stop() {
      clearInterval(timer)
      await running
      await routes.close()
      await catalog.stop()
    },
  }
}
