import { mkdir } from 'node:fs/promises'
import type { Config } from '../config.ts'
import type { Log } from '../log.ts'
import { runSync } from '../mcp/sync-status.ts'

/** `nexus prompts sync`: one GitHub sync into MCP_PROMPTS_DIR; the exit code says if it worked. */
export async function promptsSyncCommand(config: Config, log: Log): Promise<number> {
  const github = config.mcp.github
  if (!github) {
    console.error('No repository to sync: set MCP_GITHUB_OWNER and MCP_GITHUB_REPO (docs/mcp.md).')
    return 1
  }
  await mkdir(config.mcp.promptsDir, { recursive: true })
  await mkdir(config.dataDir, { recursive: true })
  const status = await runSync({
    github,
    promptsDir: config.mcp.promptsDir,
    dataDir: config.dataDir,
    fetch,
    log,
  })
  if (!status.ok) {
    console.error(`prompt sync failed: ${status.error}`)
    return 1
  }
  const r = status.result!
  const source = `${github.owner}/${github.repo}@${github.branch}:${github.path || '/'}`
  if (!r.changed) {
    console.log(
      `${source} is at ${r.commit.slice(0, 12)}, unchanged since the last sync: nothing written`,
    )
    return 0
  }
  console.log(
    `${source} at ${r.commit.slice(0, 12)}: ${r.added.length} added, ${r.updated.length} updated, ` +
      `${r.unchanged} unchanged, ${r.refused.length} refused`,
  )
  for (const { name, reason } of r.refused)
    console.log(`  refused ${JSON.stringify(name)}: ${reason}`)
  return 0
}
