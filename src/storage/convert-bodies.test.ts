import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import { silentLog } from '../log.ts'
import { splitBody } from './body-parts.ts'
import { bodyExpr, bodyTextExpr, insertBlobs } from './content-store.ts'
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
    await sql`update api_requests set body = ${bodyExpr()}, body_list = null, body_tail = null
      where domain = ${domain}`.execute(db().kysely)
    // And what migration 090 stored, for every other row: envelope + reference array.
    const exact = new Map<string, string>()
    for (const [i, r] of records.entries()) {
      const split = splitBody(r.bodyJson)
      if (i % 2 === 0 || split === undefined || split.parts.length === 0) continue
      exact.set(r.requestId, r.bodyJson)
      await insertBlobs(db().kysely, split.parts)
      await sql`update api_requests set body = null, body_segments = ${JSON.stringify(split.segments)},
        body_refs = nexus_hash_array(${split.parts.map((p) => p.hash).join(',')})
        where request_id = ${r.requestId}`.execute(db().kysely)
    }
    assert.ok(exact.size >= 20, `${exact.size} rows in the 090 format`)
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
    for (const r of after) {
      if (exact.has(r.id)) assert.equal(r.exact, exact.get(r.id), 'a 090 row keeps its exact text')
    }
    const converted = after.filter((r) => !r.whole).length
    assert.ok(converted >= 50, `${converted} of ${after.length} rows converted`)
    assert.equal(first.converted + rest.converted, converted)
    const again = await convertStoredBodies(db(), { log: silentLog })
    assert.equal(again.scanned, 0, 'a finished conversion has nothing left to do')
  })

  async function readBodies(domain: string) {
    const rows = await sql<{ id: string; text: string; exact: string; whole: boolean }>`
      select request_id as id, ${bodyExpr()}::text as text, ${bodyTextExpr()} as exact,
        body_list is null as whole
      from api_requests where domain = ${domain} order by seq`.execute(db().kysely)
    return rows.rows
  }
})
