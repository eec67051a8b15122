import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import { findRequest } from '../dashboard/queries/request-queries.ts'
import { recordedBodies } from './recorded-bodies.ts'
import { sha256Hex } from './body-parts.ts'
import { insertRequestRecords } from './request-store.ts'

describeEachDatabase('content-addressed request bodies', ({ db }) => {
  const domain = `cas-${randomUUID()}.test`
  const recordOf = (bodyJson: string | null) => ({
    ...demoRecord({ domain, at: new Date() }),
    requestId: randomUUID(),
    bodyJson,
  })

  async function readBack(id: string) {
    const row = await sql<{ text: string | null; whole: boolean }>`
      select nexus_request_body_text(body, body_segments, body_refs) as text,
        body_refs is null as whole
      from api_requests where request_id = ${id}`.execute(db().kysely)
    return row.rows[0]
  }

  test('every recorded body reads back with the same sha256, its parts stored once', async () => {
    const bodies = recordedBodies().filter((b) => b.text.includes('"messages"'))
    const records = bodies.map((b) => recordOf(b.text))
    // Twice over, in two batches: the second stores no new blob.
    await insertRequestRecords(db(), records)
    const blobs = await countBlobs()
    const again = bodies.map((b) => recordOf(b.text))
    await insertRequestRecords(db(), again)
    assert.equal(await countBlobs(), blobs)
    let split = 0
    for (const [i, r] of [...records, ...again].entries()) {
      const back = await readBack(r.requestId)
      const want = bodies[i % bodies.length]!
      // A body that is not messages-shaped is stored whole as jsonb, as before: same JSON.
      if (back?.whole === false) {
        split++
        assert.equal(sha256Hex(back.text ?? ''), sha256Hex(want.text), want.name)
      } else assert.deepEqual(JSON.parse(back?.text ?? ''), JSON.parse(want.text), want.name)
    }
    assert.ok(split >= 100, `${split} rows were stored content-addressed`)
  })

  test('the request detail, the search document and the old whole format read alike', async () => {
    const text = `{ "model":"m", "system":"${'s'.repeat(100)}",
      "messages":[{"role":"user","content":"find the \\u00e9l\\u00e9phant ${'x'.repeat(80)}"}] }`
    const stored = recordOf(text)
    stored.searchText = undefined as unknown as string
    const whole = recordOf('{"model":"m","messages":[{"role":"user","content":"short"}]}')
    await insertRequestRecords(db(), [stored, whole])
    assert.equal((await readBack(stored.requestId))?.text, text)
    assert.equal((await readBack(whole.requestId))?.whole, true)
    const detail = await findRequest(db(), { kind: 'all' }, stored.requestId)
    assert.deepEqual(detail?.body, JSON.parse(text))
    assert.equal('body_refs' in (detail ?? {}), false)
    const hit = await sql<{ n: number }>`select count(*)::int as n from request_search
      where request_id = ${stored.requestId}
        and document @@ to_tsquery('simple', 'éléphant')`.execute(db().kysely)
    assert.equal(hit.rows[0]?.n, 1)
  })

  const countBlobs = async () =>
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from content_blobs`.execute(db().kysely))
        .rows[0]?.n,
    )
})
