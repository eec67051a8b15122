import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { linkerLagSeconds } from './linker-lag-store.ts'

describeEachDatabase('linker lag', ({ db }) => {
  test('the age of the oldest request above the mark, 0 once it is linked', async () => {
    const now = Date.parse('2026-03-01T12:00:00Z')
    assert.equal(await linkerLagSeconds(db(), now), 0)
    const domain = 'lag.test'
    await insertRequestRecords(db(), [
      demoRecord({ at: new Date(now - 90_000), domain }),
      demoRecord({ at: new Date(now - 30_000), domain }),
    ])
    assert.equal(await linkerLagSeconds(db(), now), 90)
    await sql`update conversation_link_state set linked_through = (select min(seq) from api_requests)`.execute(
      db().kysely,
    )
    assert.equal(await linkerLagSeconds(db(), now), 30)
    await sql`update conversation_link_state set linked_through = (select max(seq) from api_requests)`.execute(
      db().kysely,
    )
    assert.equal(await linkerLagSeconds(db(), now), 0)
  })
})
