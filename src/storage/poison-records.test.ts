import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { startProxy, testKey, waitForRow } from '../../test-support/proxy-harness.ts'

// Long enough that records seldom go through the spool for being slow (they may, on a
// loaded machine, and the outcome must be the same).
const SLOW_FLUSH = { STORAGE_FLUSH_INTERVAL_MS: '2000' }

const post = (url: string, body: string) =>
  fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': testKey(), 'content-type': 'application/json' },
    body,
  })

describeEachDatabase('records the database cannot take as they are', ({ db }) => {
  test('a body nested 40,000 levels deep is stored as text and blocks nothing', async () => {
    const h = await startProxy(db(), SLOW_FLUSH)
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
    } finally {
      await h.close()
    }
  })
  test('a record refused alone while the database answers is quarantined, the rest stored', async () => {
    // A real refusal by the database, for one row only and not of the data-error kind.
    await db().exec(`create function refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.query like '%poison%' then raise exception 'refused' using errcode = 'P0001'; end if;
        return new;
      end $$;
      create trigger refuse_poison before insert on api_requests
        for each row execute function refuse_poison();`)
    const h = await startProxy(db(), SLOW_FLUSH)
    try {
      const key = testKey()
      const [poison, fine] = await Promise.all([
        fetch(`${h.url}/v1/messages?poison=1`, {
          method: 'POST',
          headers: { 'x-api-key': key },
          body: `{"model":"claude-haiku-4-5","messages":[],"note":"${key}"}`,
        }),
        post(h.url, '{"model":"claude-haiku-4-5","messages":[]}'),
      ])
      await waitForRow(db(), fine.headers.get('x-request-id')!)
      const ready = await waitForReady(h.url, (r) => r.quarantined === 1)
      assert.equal(ready.status, 'ok')
      assert.equal(ready.storage, 'ok')
      const text = await readFile(join(h.dataDir, 'quarantine', 'records.jsonl'), 'utf8')
      const lines = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Quarantined)
      assert.equal(lines.length, 1)
      assert.equal(lines[0]!.record.requestId, poison.headers.get('x-request-id'))
      assert.equal(lines[0]!.reason, 'refused')
      assert.ok(!text.includes(key), 'the client key is redacted in the quarantine')
    } finally {
      await h.close()
      await db().exec('drop trigger refuse_poison on api_requests; drop function refuse_poison();')
    }
  })
})

interface Quarantined {
  reason: string
  record: { requestId: string }
}

interface Ready {
  status: string
  storage: string
  quarantined: number
}

async function waitForReady(url: string, until: (r: Ready) => boolean): Promise<Ready> {
  for (let i = 0; ; i++) {
    const ready = (await (await fetch(`${url}/health/ready`)).json()) as Ready
    if (until(ready) || i > 500) return ready
    await new Promise((r) => setTimeout(r, 20))
  }
}
