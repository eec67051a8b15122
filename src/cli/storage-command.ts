import { convertStoredBodies } from '../storage/convert-bodies.ts'
import { parseAge, pruneRequests } from '../storage/retention.ts'
import { preflight } from './preflight.ts'
import { loadRuntimeConfig, openDatabase } from './runtime.ts'

export const PRUNE_USAGE = `nexus prune --older-than <age>

  Deletes requests older than <age> (30d, 12h, 90m) with their stream chunks, search
  documents and conversation spawns, then the stored content no request references any more
  (docs/storage.md). Usage totals stay. Safe while proxies keep storing.
`

export const CONVERT_USAGE = `nexus convert-bodies

  Rewrites requests stored whole (before content-addressed storage) into the compact format,
  resuming where a previous run stopped (docs/storage.md). \`nexus start\` does the same in
  the background.
`

/** `nexus prune …`; returns the exit code. */
export async function pruneCommand(args: string[]): Promise<number> {
  const age = args[0] === '--older-than' && args.length === 2 ? parseAge(args[1] ?? '') : undefined
  if (age === undefined) {
    console.error(PRUNE_USAGE)
    return 2
  }
  const { config, log } = loadRuntimeConfig()
  await preflight(config, { command: 'nexus prune', database: true })
  const opened = await openDatabase(config, log)
  try {
    const report = await pruneRequests(opened.db, new Date(Date.now() - age))
    console.log(
      `deleted ${report.requests} requests, ${report.chunks} stream chunks, ` +
        `${report.spawns} spawns, ${report.blobs} unreferenced blobs and ${report.nodes} list nodes`,
    )
    return 0
  } finally {
    await opened.close()
  }
}

/** `nexus convert-bodies`; returns the exit code. */
export async function convertCommand(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error(CONVERT_USAGE)
    return 2
  }
  const { config, log } = loadRuntimeConfig()
  await preflight(config, { command: 'nexus convert-bodies', database: true })
  const opened = await openDatabase(config, log)
  try {
    const done = await convertStoredBodies(opened.db, { log })
    console.log(`converted ${done.converted} of ${done.scanned} requests stored whole`)
    return 0
  } finally {
    await opened.close()
  }
}
