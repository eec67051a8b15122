import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql, type RawBuilder } from 'kysely'
import { startProxy, testKey, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import { claudeCodeInstalled } from '../../test-support/run-claude-code.ts'
import { describeEachDatabase, openTestDatabase } from '../../test-support/test-database.ts'
import type { Database } from '../db/database.ts'
import { runScenario } from '../conversations/claude-code/run-scenario.ts'
import { getScenario } from '../conversations/claude-code/scenarios.ts'
import { DEFAULT_PRICE_TABLE } from '../usage/price-table.ts'
import { costWith } from '../usage/request-cost.ts'
import { defaultTranscriptDir, findTranscripts } from './find-transcripts.ts'
import { IMPORT_SOURCE } from './import-record.ts'
import { createImportStore, linkImported } from './import-store.ts'
import { importTranscripts } from './import-transcripts.ts'

const skip = claudeCodeInstalled() ? false : 'the Claude Code CLI is not installed (npm ci)'

interface Totals {
  requests: string
  input: string
  output: string
  cache_write: string
  cache_read: string
  cost: string
}

// Token and cost totals of the rows matching `where`.
async function totals(db: Database, where: RawBuilder<unknown>) {
  const rows =
    await sql<Totals>`select count(*)::text as requests, sum(input_tokens)::text as input,
      sum(output_tokens)::text as output, sum(cache_creation_input_tokens)::text as cache_write,
      sum(cache_read_input_tokens)::text as cache_read, sum(cost_usd)::text as cost
    from api_requests where ${where}`.execute(db.kysely)
  return rows.rows[0]
}

describeEachDatabase('nexus import of what the real Claude Code CLI wrote', ({ db, backend }) => {
  let proxy: ProxyHarness
  before(async () => {
    proxy = await startProxy(db())
  })
  after(() => proxy.close())

  for (const name of ['subagent', 'parallel-subagents']) {
    test(
      `${name}: the import agrees with the proxy on every message's tokens and cost`,
      { skip, timeout: 90_000 },
      async () => {
        const result = await runScenario(getScenario(name), {
          proxy,
          db: db(),
          apiKey: testKey(),
          path: process.env.PATH ?? '/usr/bin:/bin',
          timeoutMs: 60_000,
        })
        try {
          const { run } = result.runs[0]!
          assert.equal(run.exitCode, 0, run.stderr)
          const session = run.result?.session_id ?? ''
          const files = await findTranscripts([defaultTranscriptDir(result.sandbox.home)])
          // The session's transcript, then its sub-agents' (Claude Code 2.1 writes them apart).
          assert.ok(files[0]?.endsWith(`${session}.jsonl`), files.join(', '))
          assert.ok(files.length >= 2 && files.slice(1).every((f) => f.includes('/subagents/')))

          const domain = `cc-import-${name}`
          const importInto = (target: Database) =>
            importTranscripts(files, {
              store: createImportStore(target),
              costOf: costWith(DEFAULT_PRICE_TABLE),
              domain,
              dryRun: false,
            })
          // Where the proxy stored the session already, nothing is counted twice.
          const again = await importInto(db())
          assert.deepEqual([again.imported, again.malformed, again.incomplete], [0, [], []])
          assert.ok(again.alreadyStored > 0)

          // Into a database of its own: every message, with the proxy's tokens and cost.
          const fresh = await openTestDatabase(backend)
          try {
            const summary = await importInto(fresh.db)
            assert.equal(summary.imported, again.alreadyStored)
            await linkImported(fresh.db)
            const messageIds = (
              await sql<{ message_id: string }>`select message_id from api_requests`.execute(
                fresh.db.kysely,
              )
            ).rows.map((r) => r.message_id)
            const imported = await totals(fresh.db, sql`source = ${IMPORT_SOURCE}`)
            const proxied = await totals(
              db(),
              sql`source is null and response_body ->> 'id' = any(${messageIds}::text[])`,
            )
            assert.equal(imported?.requests, String(summary.imported))
            assert.deepEqual(imported, proxied)
            // Every main-loop and sub-agent call the proxy stored for the session (its side
            // calls have other request types) is one the import found.
            const calls = await sql<{ n: string }>`select count(*)::text as n from api_requests
              where source is null and session_id = ${session} and request_type = 'inference'`.execute(
              db().kysely,
            )
            assert.deepEqual(calls.rows, [{ n: String(summary.imported) }])

            // One conversation: the session with its sub-agents attached.
            const linked = await sql<{ conversations: string; subtasks: string }>`
              select count(distinct conversation_id)::text as conversations,
                count(*) filter (where is_subtask)::text as subtasks
              from api_requests`.execute(fresh.db.kysely)
            assert.equal(linked.rows[0]?.conversations, '1')
            assert.notEqual(linked.rows[0]?.subtasks, '0')
          } finally {
            await fresh.close()
          }
        } finally {
          await result.sandbox.remove()
        }
      },
    )
  }
})
