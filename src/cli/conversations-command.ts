import type { Config } from '../config.ts'
import { linkPending } from '../conversations/conversation-linker.ts'
import { createConversationStore } from '../conversations/conversation-store.ts'
import { copyConversation } from '../conversations/conversation-copy-store.ts'
import { explainLink, formatExplanation } from '../conversations/explain-link.ts'
import { findExplainSubject } from '../conversations/explain-store.ts'
import { rebuildConversations } from '../conversations/rebuild-conversations.ts'
import { formatRebuildReport } from '../conversations/rebuild-report.ts'
import { openPostgres } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import type { Log } from '../log.ts'
import { parseCommandArgs } from './args.ts'
import { CommandError, EXIT } from './exit-codes.ts'
import { preflight } from './preflight.ts'
import { progressBar } from './progress-bar.ts'
import { loadRuntimeConfig, openDatabase, type OpenedDatabase } from './runtime.ts'

export const CONVERSATIONS_USAGE = `nexus conversations rebuild [--dry-run] [--rehash]
nexus conversations explain <requestA> <requestB> [--json]
nexus conversations copy <conversationId> --to <DATABASE_URL> [--json]

  rebuild   relinks every stored request into conversations, in arrival order, with the
            rules live linking uses (docs/conversations.md). One transaction: readers keep
            the old links until it commits; proxies keep storing and link the newer requests
            afterwards.
            --dry-run   print what would change, write nothing
            --rehash    derive request types and hashes from the stored bodies again first
  explain   why request B did or did not link to the earlier request A: each linking rule,
            in the linker's order, with its verdict, and B's stored links
  copy      copies a conversation (its requests, sub-agents included, streamed chunks and
            usage) into another PostgreSQL database, which is migrated first and links the
            copies itself; running it again copies only what is missing

  Exit codes: 0 done, 1 failed, 2 usage, 3 no such request or conversation.
`

const OPTIONS = {
  'dry-run': { type: 'boolean' },
  rehash: { type: 'boolean' },
  json: { type: 'boolean' },
  to: { type: 'string' },
} as const

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `nexus conversations …`; returns the exit code. */
export async function conversationsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, CONVERSATIONS_USAGE)
  const [sub, ...ids] = positionals
  const arity = { rebuild: 0, explain: 2, copy: 1 }[sub ?? ''] ?? -1
  if (ids.length !== arity) throw new CommandError(EXIT.usage, CONVERSATIONS_USAGE)
  for (const id of ids) {
    if (!UUID.test(id))
      throw new CommandError(EXIT.usage, `Not a request or conversation id: ${id}`)
  }
  if (sub === 'copy' && !values.to) {
    throw new CommandError(EXIT.usage, `--to <DATABASE_URL> is required\n\n${CONVERSATIONS_USAGE}`)
  }
  const { config, log } = loadRuntimeConfig()
  await preflight(config, { command: `nexus conversations ${sub}`, database: true })
  const opened = await openDatabase(config, log)
  try {
    if (sub === 'explain') return await explain(opened, ids[0]!, ids[1]!, values.json === true)
    if (sub === 'copy')
      return await copy(opened, config, log, ids[0]!, values.to!, values.json === true)
    return await rebuild(opened, values['dry-run'] === true, values.rehash === true)
  } finally {
    await opened.close()
  }
}

async function rebuild(opened: OpenedDatabase, dryRun: boolean, rehash: boolean) {
  const bar = progressBar(process.stderr, 'requests')
  const report = await rebuildConversations(createConversationStore(opened.db), {
    dryRun,
    rehash,
    onProgress: (done, total) => bar.update(done, total),
  })
  bar.finish()
  console.log(formatRebuildReport(report))
  return EXIT.ok
}

async function explain(opened: OpenedDatabase, a: string, b: string, json: boolean) {
  const later = await findExplainSubject(opened.db, b)
  const earlier = await findExplainSubject(opened.db, a, later?.seq ?? null)
  if (!later || !earlier) {
    throw new CommandError(EXIT.notFound, `No stored request ${!earlier ? a : b}.`)
  }
  const explanation = explainLink(earlier, later)
  process.stdout.write(
    json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation),
  )
  return EXIT.ok
}

async function copy(
  opened: OpenedDatabase,
  config: Config,
  log: Log,
  conversationId: string,
  url: string,
  json: boolean,
) {
  if (url === config.databaseUrl) {
    throw new CommandError(EXIT.usage, '--to names the database the conversation is already in.')
  }
  const target = openPostgres({ url })
  try {
    const applied = await migrate(target)
    if (applied.length > 0) log.info('target database migrated', { applied })
    const bar = progressBar(process.stderr, 'requests')
    const report = await copyConversation(opened.db, target, conversationId, (done, total) =>
      bar.update(done, total),
    )
    bar.finish()
    if (report.requests === 0) {
      throw new CommandError(EXIT.notFound, `No conversation ${conversationId}.`)
    }
    // Another process linking the target (a running proxy) links the copies itself.
    const linking = await linkPending(createConversationStore(target))
    const result = { ...report, linkedByAnotherProcess: linking.busy }
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`)
    else {
      process.stdout.write(
        `copied ${report.copiedRequests} of ${report.requests} requests ` +
          `(${report.requests - report.copiedRequests} already there), ` +
          `${report.copiedChunks} chunks, ${report.copiedUsage} usage rows\n`,
      )
    }
    return EXIT.ok
  } finally {
    await target.close()
  }
}
