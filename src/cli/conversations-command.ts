import { createConversationStore } from '../conversations/conversation-store.ts'
import { rebuildConversations } from '../conversations/rebuild-conversations.ts'
import { formatRebuildReport } from '../conversations/rebuild-report.ts'
import { preflight } from './preflight.ts'
import { progressBar } from './progress-bar.ts'
import { loadRuntimeConfig, openDatabase } from './runtime.ts'

export const CONVERSATIONS_USAGE = `nexus conversations rebuild [--dry-run] [--rehash]

  Relinks every stored request into conversations, in arrival order, with the rules live
  linking uses (docs/conversations.md). One transaction: readers keep the old links until it
  commits; proxies keep storing and link the newer requests afterwards.

  --dry-run   print what would change, write nothing
  --rehash    derive request types and hashes from the stored bodies again first
`

/** `nexus conversations …`; returns the exit code. */
export async function conversationsCommand(args: string[]): Promise<number> {
  const [sub, ...flags] = args
  const unknown = flags.filter((f) => f !== '--dry-run' && f !== '--rehash')
  if (sub !== 'rebuild' || unknown.length > 0) {
    console.error(CONVERSATIONS_USAGE)
    return 2
  }
  const { config, log } = loadRuntimeConfig()
  await preflight(config, { command: 'nexus conversations rebuild', database: true })
  const opened = await openDatabase(config, log)
  try {
    const bar = progressBar(process.stderr, 'requests')
    const report = await rebuildConversations(createConversationStore(opened.db), {
      dryRun: flags.includes('--dry-run'),
      rehash: flags.includes('--rehash'),
      onProgress: (done, total) => bar.update(done, total),
    })
    bar.finish()
    console.log(formatRebuildReport(report))
    return 0
  } finally {
    await opened.close()
  }
}
