import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import { bodyTextExpr } from './content-store.ts'
import { insertRequestRecords } from './request-store.ts'
import { parseAge, pruneRequests } from './retention.ts'

const DAY = 86_400_000

describeEachDatabase('retention', ({ db }) => {
  const domain = `retention-${randomUUID()}.test`
  const message = (text: string) => `{"role":"user","content":${JSON.stringify(text.repeat(8))}}`
  const record = (at: Date, messages: string[]) => ({
    ...demoRecord({ domain, at }),
    requestId: randomUUID(),
    bodyJson: `{"model":"m","messages":[${messages.join(',')}]}`,
    chunks: [{ index: 0, offsetMs: 1, data: 'event: ping\n\n' }],
  })
  const ageBlobs = async () => {
    await sql`update content_blobs set touched_at = now() - interval '1 day'`.execute(db().kysely)
    await sql`update content_lists set touched_at = now() - interval '1 day'`.execute(db().kysely)
  }

  async function bodyOf(id: string) {
    const rows = await sql<{ text: string | null }>`
      select ${bodyTextExpr()} as text
      from api_requests where request_id = ${id}`.execute(db().kysely)
    return rows.rows[0]?.text
  }

  test('old requests go with their chunks; blobs go once nothing references them', async () => {
    const shared = message(`shared ${randomUUID()}`)
    const old = record(new Date(Date.now() - 60 * DAY), [shared, message(`old ${randomUUID()}`)])
    const kept = record(new Date(), [shared, message(`kept ${randomUUID()}`)])
    await insertRequestRecords(db(), [old, kept])
    await ageBlobs()
    const report = await pruneRequests(db(), new Date(Date.now() - 30 * DAY))
    assert.ok(report.requests >= 1 && report.chunks >= 1)
    assert.equal(await bodyOf(old.requestId), undefined)
    assert.equal(await bodyOf(kept.requestId), kept.bodyJson)
    const left = await sql<{ n: number }>`select count(*)::int as n from content_blobs
      where content = any(${[shared, old.bodyJson.slice(-shared.length - 2, -2)]})`.execute(
      db().kysely,
    )
    assert.equal(left.rows[0]?.n, 1, 'the shared blob stays, the old one is collected')
    const chunks = await sql<{ n: number }>`select count(*)::int as n from streaming_chunks
      where request_id = ${old.requestId}`.execute(db().kysely)
    assert.equal(chunks.rows[0]?.n, 0)
  })

  test('a blob referenced by a request inserted while blobs are collected is kept', async () => {
    const stored: Array<{ requestId: string; bodyJson: string }> = []
    for (let i = 0; i < 15; i++) {
      const parts = [message(`a ${i} ${randomUUID()}`), message(`b ${i} ${randomUUID()}`)]
      // Only an old request references these blobs, and they look long untouched: prey for GC.
      await insertRequestRecords(db(), [record(new Date(Date.now() - 60 * DAY), parts)])
      await ageBlobs()
      const fresh = record(new Date(), parts)
      await Promise.all([
        insertRequestRecords(db(), [fresh]),
        pruneRequests(db(), new Date(Date.now() - 30 * DAY)),
      ])
      stored.push(fresh)
    }
    for (const r of stored) assert.equal(await bodyOf(r.requestId), r.bodyJson)
  })
})

test('parseAge reads days, hours and minutes', () => {
  assert.equal(parseAge('30d'), 30 * DAY)
  assert.equal(parseAge('12h'), 12 * 3_600_000)
  assert.equal(parseAge('90m'), 90 * 60_000)
  assert.equal(parseAge('30'), undefined)
  assert.equal(parseAge('-1d'), undefined)
})
