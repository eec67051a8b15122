import assert from 'node:assert/strict'
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { createConversationStore } from '../conversations/conversation-store.ts'
import { rebuildConversations } from '../conversations/rebuild-conversations.ts'
import { DEFAULT_PRICE_TABLE } from '../usage/price-table.ts'
import { costWith } from '../usage/request-cost.ts'
import { findTranscripts } from './find-transcripts.ts'
import { jsonl, mainTranscript, SESSION, subagentTranscript } from './fixtures/transcript.ts'
import { startDashboard } from '../dashboard/test-support.ts'
import { importedRequestId } from './import-record.ts'
import { createImportStore, linkImported } from './import-store.ts'
import { importTranscripts } from './import-transcripts.ts'

describeEachDatabase('nexus import into the database', ({ db }) => {
  let dir: string
  let domain: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nexus-import-'))
    domain = `import-${Math.random().toString(36).slice(2)}.test`
    const project = join(dir, 'projects', '-tmp-project')
    await mkdir(join(project, SESSION, 'subagents'), { recursive: true })
    await writeFile(join(project, `${SESSION}.jsonl`), jsonl(mainTranscript()))
    await writeFile(
      join(project, SESSION, 'subagents', 'agent-a1234567890abcdef.jsonl'),
      jsonl(subagentTranscript()),
    )
    await writeFile(join(project, 'notes.txt'), 'not a transcript')
  })
  after(() => rm(dir, { recursive: true, force: true }))

  const run = async (dryRun = false) =>
    importTranscripts(await findTranscripts([join(dir, 'projects')]), {
      store: createImportStore(db()),
      costOf: costWith(DEFAULT_PRICE_TABLE),
      domain,
      dryRun,
      batchSize: 2,
    })

  test('--dry-run counts everything and writes nothing', async () => {
    const summary = await run(true)
    assert.deepEqual(
      [summary.files, summary.lines, summary.messages, summary.imported],
      [2, 17, 5, 5],
    )
    const rows = await sql`select 1 from api_requests where domain = ${domain}`.execute(db().kysely)
    assert.equal(rows.rows.length, 0)
  })

  test('stores one request per API message with usage, cost and the marker; links the session', async () => {
    const summary = await run()
    assert.deepEqual([summary.imported, summary.alreadyStored], [5, 0])
    assert.deepEqual(summary.tokens, { input: 722, output: 113, cacheWrite: 3100, cacheRead: 6000 })
    assert.equal(summary.costUsd.toFixed(9), '0.021786000')
    await linkImported(db())
    const rows = await sql<Row>`select message_id, source, model, input_tokens, output_tokens,
        cache_creation_5m_tokens, cache_creation_1h_tokens, cache_read_input_tokens,
        conversation_id = (select conversation_id from api_requests a
          where a.message_id = 'msg_A' and a.domain = ${domain}) as same_conversation,
        branch_id, is_subtask, link_kind
      from api_requests where domain = ${domain} order by seq`.execute(db().kysely)
    assert.deepEqual(
      rows.rows.map((r) => [
        r.message_id,
        r.source,
        r.input_tokens,
        r.output_tokens,
        r.cache_creation_5m_tokens,
        r.cache_creation_1h_tokens,
        r.cache_read_input_tokens,
        r.same_conversation,
        r.branch_id,
        r.is_subtask,
        r.link_kind,
      ]),
      [
        ['msg_A', 'claude-code-import', 10, 50, 1000, 2000, 0, true, 'main', false, 'root'],
        ['msg_B', 'claude-code-import', 5, 20, 0, 0, 3000, true, 'main', false, 'parent'],
        ['msg_C', 'claude-code-import', 7, 3, 100, 0, 3000, true, 'main', false, 'parent'],
        ['msg_S1', 'claude-code-import', 300, 30, 0, 0, 0, true, 'subtask_1', true, 'subtask'],
        ['msg_S2', 'claude-code-import', 400, 10, 0, 0, 0, true, 'subtask_1', true, 'parent'],
      ],
    )
    // The usage ledger counts them like proxied requests, at the same cost.
    const usage = await sql<{ n: string; cost: string; input: string }>`select count(*)::text as n,
        sum(cost_nano_usd)::text as cost, sum(input_tokens)::text as input from token_usage
      where domain = ${domain}`.execute(db().kysely)
    assert.deepEqual(usage.rows[0], {
      n: '5',
      cost: '21786000',
      input: '722',
    })
    const conversations = await sql<{ request_count: number; subtask_count: number }>`
      select request_count, subtask_count from conversations where domain = ${domain}`.execute(
      db().kysely,
    )
    assert.deepEqual(conversations.rows, [{ request_count: 5, subtask_count: 1 }])
  })

  test('the dashboard shows an imported request with its marker', async () => {
    const dashboard = await startDashboard(db())
    try {
      const id = importedRequestId('msg_A')
      const page = await fetch(`${dashboard.url}/requests/${id}`, {
        headers: { 'x-dashboard-key': dashboard.key },
      })
      assert.equal(page.status, 200)
      const html = await page.text()
      assert.match(
        html,
        /imported from a Claude Code transcript \(message\s*<span class="mono">msg_A<\/span>\), not proxied/,
      )
    } finally {
      await dashboard.close()
    }
  })

  test('a rebuild, even with --rehash, links imported rows the same way', async () => {
    const links = async () =>
      (
        await sql<{ message_id: string; branch_id: string; link_kind: string }>`select message_id,
            branch_id, link_kind from api_requests where domain = ${domain} order by seq`.execute(
          db().kysely,
        )
      ).rows
    const before = await links()
    await rebuildConversations(createConversationStore(db()), { dryRun: false, rehash: true })
    assert.deepEqual(await links(), before)
    assert.equal(before.length, 5)
  })

  test('running it again stores nothing twice', async () => {
    const summary = await run()
    assert.deepEqual([summary.imported, summary.alreadyStored], [0, 5])
    const hourly = await sql<{ requests: number }>`select sum(requests)::int as requests
      from token_usage_hourly where domain = ${domain}`.execute(db().kysely)
    assert.deepEqual(hourly.rows, [{ requests: 5 }])
  })

  test('a response still being written waits for its last line', async () => {
    const file = join(dir, 'projects', '-tmp-project', `${SESSION}.jsonl`)
    const line = (uuid: string, parentUuid: string, block: object, output: number) =>
      JSON.stringify({
        ...(mainTranscript().at(-1) as object),
        uuid,
        parentUuid,
        message: {
          id: 'msg_D',
          model: 'claude-sonnet-4-5',
          content: [block],
          usage: { input_tokens: 2, output_tokens: output },
        },
      })
    const first = line('d1', 'a5', { type: 'text', text: 'Two' }, 1)
    const second = line('d2', 'd1', { type: 'text', text: 'blocks' }, 9)
    await appendFile(file, `{"oops\n${first}\n${second.slice(0, 40)}`)
    const partial = await run()
    assert.deepEqual([partial.messages, partial.imported], [5, 0])
    assert.deepEqual(partial.malformed, [{ file, line: 14, reason: 'not JSON' }])
    assert.deepEqual(partial.incomplete, [{ file, line: 16 }])

    await appendFile(file, `${second.slice(40)}\n`)
    const completed = await run()
    assert.deepEqual([completed.imported, completed.alreadyStored], [1, 5])
    assert.deepEqual(completed.incomplete, [])
    const row = await sql<{ output_tokens: number; texts: string }>`select output_tokens,
        response_body -> 'content' ->> 1 as texts from api_requests
      where message_id = 'msg_D'`.execute(db().kysely)
    assert.deepEqual(row.rows, [{ output_tokens: 9, texts: '{"text": "blocks", "type": "text"}' }])
  })
})

interface Row {
  message_id: string
  source: string
  model: string
  input_tokens: number
  output_tokens: number
  cache_creation_5m_tokens: number
  cache_creation_1h_tokens: number
  cache_read_input_tokens: number
  same_conversation: boolean
  branch_id: string
  is_subtask: boolean
  link_kind: string
}
