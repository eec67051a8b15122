import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { randomId, usageRecord } from '../usage/usage-test-records.ts'
import { silentLog } from '../log.ts'
import { byteBatches, MAX_BATCH_BYTES, recordBytes } from './byte-batches.ts'
import type { RequestRecord } from './request-record.ts'
import { createRecordStore } from './request-store.ts'
import { Quarantine } from './quarantine.ts'
import { Spool } from './spool.ts'
import { StorageWriter, type WriterSettings } from './storage-writer.ts'
import type { Database } from '../db/database.ts'

const MB = 1024 * 1024

/** A record whose request body is a JSON string of about `bytes`. */
function bigRecord(domain: string, bytes: number): RequestRecord {
  const bodyJson = JSON.stringify({ text: 'x'.repeat(bytes - 11) })
  return usageRecord({ domain, bodyJson, bodyBytes: bodyJson.length })
}

test('a record counts its bodies, chunks and search text', () => {
  const r = usageRecord({
    domain: 'd',
    bodyJson: '{"a":1}',
    responseJson: '{}',
    searchText: 'abc',
    chunks: [
      { index: 0, offsetMs: 0, data: 'data: 1\n\n' },
      { index: 1, offsetMs: 1, data: 'xy' },
    ],
  })
  assert.equal(recordBytes(r), 7 + 2 + 3 + 9 + 2)
})

test('batches keep order, stay under the cap, and a record over it goes alone', () => {
  const sizes = [3, 3, 1, 9, 2, 2]
  const records = sizes.map((n, i) => usageRecord({ domain: `d${i}`, bodyJson: 'x'.repeat(n) }))
  const batches = byteBatches(records, 5)
  assert.deepEqual(
    batches.map((b) => b.map((r) => r.domain)),
    [['d0'], ['d1', 'd2'], ['d3'], ['d4', 'd5']],
  )
  assert.equal(MAX_BATCH_BYTES, 4 * MB)
})

async function withWriter(
  db: Database,
  settings: Partial<WriterSettings>,
  run: (writer: StorageWriter, inserted: number[]) => Promise<void>,
) {
  const spoolDir = await mkdtemp(join(tmpdir(), 'nexus-bytes-'))
  const real = createRecordStore(db)
  const inserted: number[] = []
  const spool = new Spool(spoolDir)
  await spool.init()
  const writer = new StorageWriter({
    store: {
      insert: (records) => {
        inserted.push(records.length)
        return real.insert(records)
      },
      ping: real.ping,
    },
    spool,
    quarantine: new Quarantine(join(spoolDir, 'quarantine')),
    log: silentLog,
    settings: {
      batchSize: 200,
      flushIntervalMs: 10,
      writeTimeoutMs: 30_000,
      maxQueue: 5_000,
      maxQueueBytes: 64 * MB,
      retryIntervalMs: 10,
      ...settings,
    },
  })
  try {
    await run(writer, inserted)
  } finally {
    await rm(spoolDir, { recursive: true, force: true })
  }
}

async function storedIds(db: Database, domain: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select request_id as id from api_requests where domain = ${domain} order by seq`.execute(
    db.kysely,
  )
  return rows.rows.map((r) => r.id)
}

describeEachDatabase('the writer bounds its memory in bytes', ({ db }) => {
  test('five records of 1.5 MB reach the database in statements of at most two', async () => {
    await withWriter(db(), { flushIntervalMs: 10_000 }, async (writer, inserted) => {
      const domain = randomId('bytes')
      const records = [1, 2, 3, 4, 5].map(() => bigRecord(domain, 1.5 * MB))
      for (const r of records) writer.enqueue(r)
      writer.start()
      await writer.drain()
      assert.deepEqual(inserted, [2, 2, 1])
      assert.deepEqual(
        await storedIds(db(), domain),
        records.map((r) => r.requestId),
      )
      assert.equal(writer.stats().stored, 5)
    })
  })

  test('past the queue byte cap the rest goes through the spool, in order', async () => {
    await withWriter(db(), { batchSize: 1, maxQueueBytes: 4 * MB }, async (writer, inserted) => {
      const domain = randomId('queue')
      const records = [1, 2, 3, 4, 5].map(() => bigRecord(domain, 1.5 * MB))
      for (const r of records) writer.enqueue(r)
      writer.start()
      // Draining keeps spooled records for the next start; here the replay is awaited.
      const settled = () => writer.stats().stored + writer.stats().replayed >= records.length
      while (!settled()) await new Promise((r) => setTimeout(r, 20))
      await writer.drain()
      assert.ok(writer.stats().spooled > 0, 'the queue went past its byte cap to the spool')
      assert.equal(writer.stats().replayed, writer.stats().spooled)
      assert.ok(
        inserted.every((n) => n <= 2),
        `statements of ${inserted.join(', ')} records`,
      )
      assert.deepEqual(
        await storedIds(db(), domain),
        records.map((r) => r.requestId),
      )
    })
  })
})
