import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { startProxy, testKey, waitForRow } from '../../test-support/proxy-harness.ts'

const post = (url: string, body: string) =>
  fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': testKey() }, body })

describeEachDatabase('records the database cannot take as they are', ({ db }) => {
  test('a body nested 40,000 levels deep is stored as text and blocks nothing', async () => {
    const h = await startProxy(db())
    try {
      const depth = 40_000
      const deepBody = `{"model":"claude-haiku-4-5","messages":${'['.repeat(depth)}${']'.repeat(depth)}}`
      const deep = await post(h.url, deepBody)
      const fine = await post(h.url, '{"model":"claude-haiku-4-5","messages":[]}')
      assert.equal(deep.status, 200)
      const id = deep.headers.get('x-request-id')!
      await waitForRow(db(), fine.headers.get('x-request-id')!)
      const row = await sql<{ kind: string; text: string }>`
        select jsonb_typeof(body) as kind, body #>> '{}' as text
        from api_requests where request_id = ${id}`.execute(db().kysely)
      assert.deepEqual(row.rows[0], { kind: 'string', text: deepBody })
      assert.equal(h.app.writer!.stats().spooled, 0)
    } finally {
      await h.close()
    }
  })
})
