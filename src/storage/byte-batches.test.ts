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
import { Spool } from './spool.ts'
import { StorageWriter } from './storage-writer.ts'

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

describeEachDatabase('the writer bounds the bytes of each insert', ({ db }) => {
  test('five records of 1.5 MB reach the database in statements of at most two', async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), 'nexus-bytes-'))
    const real = createRecordStore(db())
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
      log: silentLog,
      settings: {
        batchSize: 200,
        flushIntervalMs: 10_000,
        writeTimeoutMs: 30_000,
        maxQueue: 5_000,
        retryIntervalMs: 1_000,
      },
    })
    const domain = randomId('bytes')
    try {
      for (let i = 0; i < 5; i++) writer.enqueue(bigRecord(domain, 1.5 * MB))
      writer.start()
      await writer.drain()
      assert.deepEqual(inserted, [2, 2, 1])
      const stored = await sql<{ n: number }>`
        select count(*)::int as n from api_requests where domain = ${domain}`.execute(db().kysely)
      assert.equal(stored.rows[0]?.n, 5)
      assert.equal(writer.stats().stored, 5)
    } finally {
      await rm(spoolDir, { recursive: true, force: true })
    }
  })
})
