import assert from 'node:assert/strict'
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import type { Database } from '../db/database.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import { DEFAULT_PRICE_TABLE } from '../usage/price-table.ts'
import { costWith } from '../usage/request-cost.ts'
import { findTranscripts } from './find-transcripts.ts'
import { jsonl, mainTranscript, SESSION, subagentTranscript } from './fixtures/transcript.ts'
import { importedRecord } from './import-record.ts'
import { createImportStore, linkImported } from './import-store.ts'
import { importTranscripts } from './import-transcripts.ts'
import { TranscriptReader } from './transcript-reader.ts'

// The bulk path: whole batches in one statement (src/db/unnest-rows.ts), at the default batch
// size, so a batch holds several files. Each test has its own domain and message ids (the
// fixture's, prefixed), as message ids are unique across the database.
describeEachDatabase('nexus import in bulk', ({ db }) => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nexus-import-bulk-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  const costOf = costWith(DEFAULT_PRICE_TABLE)
  const project = (name: string) => join(dir, name, 'projects', '-tmp-project')
  const run = async (name: string) =>
    importTranscripts(await findTranscripts([join(dir, name, 'projects')]), {
      store: createImportStore(db()),
      costOf,
      domain: `${name}.test`,
      dryRun: false,
    })
  // The fixture's session and sub-agent with message ids of this test's own.
  const session = (prefix: string) => jsonl(mainTranscript()).replaceAll('msg_', `msg_${prefix}_`)
  const subagent = (prefix: string) =>
    jsonl(subagentTranscript()).replaceAll('msg_', `msg_${prefix}_`)

  test('importing twice more stores nothing: rows, usage and links stay as they were', async () => {
    await mkdir(join(project('twice'), SESSION, 'subagents'), { recursive: true })
    await writeFile(join(project('twice'), `${SESSION}.jsonl`), session('tw'))
    await writeFile(join(project('twice'), SESSION, 'subagents', 'agent-a1.jsonl'), subagent('tw'))
    const first = await run('twice')
    assert.deepEqual([first.imported, first.alreadyStored], [5, 0])
    await linkImported(db())
    const before = await stored(db(), 'twice.test')
    assert.deepEqual(before, { rows: 5, usage: 5, hourly: 5, input: 722, subtasks: 1 })
    for (const again of [await run('twice'), await run('twice')]) {
      assert.deepEqual([again.imported, again.alreadyStored], [0, 5])
      assert.deepEqual(again.tokens, { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 })
    }
    await linkImported(db())
    assert.deepEqual(await stored(db(), 'twice.test'), before)
  })

  test('the same message twice in one batch (a copied transcript) is stored once', async () => {
    await mkdir(project('copied'), { recursive: true })
    await writeFile(join(project('copied'), `${SESSION}.jsonl`), session('cp'))
    await writeFile(join(project('copied'), 'copy-of-session.jsonl'), session('cp'))
    const summary = await run('copied')
    assert.deepEqual([summary.messages, summary.imported, summary.alreadyStored], [6, 3, 3])
    assert.equal(summary.tokens.input, 22)
    const counts = await stored(db(), 'copied.test')
    assert.deepEqual([counts.rows, counts.usage, counts.hourly, counts.input], [3, 3, 3, 22])
  })

  test('a statement with the same request twice stores and counts it once', async () => {
    const reader = new TranscriptReader()
    const messages = jsonl(mainTranscript())
      .replaceAll('msg_', 'msg_st_')
      .split('\n')
      .flatMap((line) => reader.push(line))
    const records = [...messages, ...reader.end()].map((m) =>
      importedRecord(m, 'stmt.test', costOf),
    )
    await insertRequestRecords(db(), [...records, records[0]!, ...records])
    const counts = await stored(db(), 'stmt.test')
    assert.deepEqual([counts.rows, counts.usage, counts.hourly, counts.input], [3, 3, 3, 22])
  })

  test('a batch across a file still being written: the rest is stored by the next run', async () => {
    // One batch: a complete file, one whose last line is half written, another complete one.
    const files = ['a', 'b', 'c'].map((f) => join(project('partial'), `${f}.jsonl`))
    const texts = ['pa', 'pb', 'pc'].map((p) => session(p))
    await mkdir(project('partial'), { recursive: true })
    const cut = texts[1]!.length - 30
    await Promise.all(
      files.map((f, i) => writeFile(f, i === 1 ? texts[1]!.slice(0, cut) : texts[i]!)),
    )
    const partial = await run('partial')
    // b's half-written last line (msg_pb_C) waits, and so does the response still open before
    // it (msg_pb_B: more of its lines could follow); the others are stored.
    assert.deepEqual([partial.files, partial.imported, partial.alreadyStored], [3, 7, 0])
    assert.deepEqual(partial.incomplete, [{ file: files[1], line: 13 }])
    assert.equal((await stored(db(), 'partial.test')).rows, 7)

    await appendFile(files[1]!, texts[1]!.slice(cut))
    const rest = await run('partial')
    assert.deepEqual([rest.imported, rest.alreadyStored, rest.incomplete], [2, 7, []])
    assert.deepEqual(rest.tokens, { input: 12, output: 23, cacheWrite: 100, cacheRead: 6000 })
    const counts = await stored(db(), 'partial.test')
    assert.deepEqual([counts.rows, counts.usage, counts.hourly, counts.input], [9, 9, 9, 66])
  })
})

/** What a domain has stored: rows, usage rows, requests in the rollup, input tokens,
 *  sub-agents attached. */
async function stored(db: Database, domain: string) {
  const r = await sql<{
    rows: number
    usage: number
    hourly: number
    input: number
    subtasks: number
  }>`
    select (select count(*)::int from api_requests where domain = ${domain}) as rows,
      (select count(*)::int from token_usage where domain = ${domain}) as usage,
      (select coalesce(sum(requests), 0)::int from token_usage_hourly where domain = ${domain})
        as hourly,
      (select coalesce(sum(input_tokens), 0)::int from api_requests where domain = ${domain})
        as input,
      (select coalesce(sum(subtask_count), 0)::int from conversations where domain = ${domain})
        as subtasks`.execute(db.kysely)
  return r.rows[0]!
}
