import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import { silentLog } from '../log.ts'
import { convertStoredBodies } from './convert-bodies.ts'
import { recordedBodies } from './recorded-bodies.ts'
import { insertRequestRecords } from './request-store.ts'

describeEachDatabase('converting bodies stored whole', ({ db }) => {
  test('rows in the old format are converted, resumably, and read back identically', async () => {
    const domain = `convert-${randomUUID()}.test`
    const bodies = recordedBodies().map((b) => b.text)
    const records = bodies.map((bodyJson) => ({
      ...demoRecord({ domain, at: new Date() }),
      requestId: randomUUID(),
      bodyJson,
    }))
    await insertRequestRecords(db(), records)
    // What a version before migration 090 stored: the whole body as jsonb.
    await sql`update api_requests set body = nexus_request_body(body, body_segments, body_refs),
      body_segments = null, body_refs = null where domain = ${domain}`.execute(db().kysely)
    const before = await readBodies(domain)
    assert.equal(before.filter((r) => r.whole).length, records.length)

    const stop = new AbortController()
    const first = await convertStoredBodies(db(), {
      log: { ...silentLog, info: () => stop.abort() },
      batchSize: 10,
      signal: stop.signal,
    })
    assert.equal(first.scanned, 10, 'stopped after one batch')
    const rest = await convertStoredBodies(db(), { log: silentLog, batchSize: 10 })
    assert.ok(rest.through > first.through)

    const after = await readBodies(domain)
    assert.deepEqual(
      after.map((r) => r.text),
      before.map((r) => r.text),
    )
    const converted = after.filter((r) => !r.whole).length
    assert.ok(converted >= 50, `${converted} of ${after.length} rows converted`)
    assert.equal(first.converted + rest.converted, converted)
    const again = await convertStoredBodies(db(), { log: silentLog })
    assert.equal(again.scanned, 0, 'a finished conversion has nothing left to do')
  })

  async function readBodies(domain: string) {
    const rows = await sql<{ text: string; whole: boolean }>`
      select nexus_request_body(body, body_segments, body_refs)::text as text, body_refs is null as whole
      from api_requests where domain = ${domain} order by seq`.execute(db().kysely)
    return rows.rows
  }
})
