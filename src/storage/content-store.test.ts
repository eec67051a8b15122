import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import { findRequest } from '../dashboard/queries/request-queries.ts'
import { recordedBodies } from './recorded-bodies.ts'
import { sha256Hex } from './body-parts.ts'
import { BODY_STORAGE_COLUMNS, bodyTextExpr } from './content-store.ts'
import { PrefixMemo } from './body-prefix.ts'
import { KNOWN_FOR_MS, KnownHashes } from './known-hashes.ts'
import { insertRequestRecords } from './request-store.ts'
import { pruneRequests } from './retention.ts'

describeEachDatabase('content-addressed request bodies', ({ db }) => {
  const domain = `cas-${randomUUID()}.test`
  const recordOf = (bodyJson: string | null) => ({
    ...demoRecord({ domain, at: new Date() }),
    requestId: randomUUID(),
    bodyJson,
  })

  async function readBack(id: string) {
    const row = await sql<{ text: string | null; whole: boolean }>`
      select ${bodyTextExpr()} as text,
        body_list is null as whole
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
    for (const c of BODY_STORAGE_COLUMNS) assert.equal(c in (detail ?? {}), false)
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

describeEachDatabase('content-addressed bodies across turns', ({ db }) => {
  const domain = `cas-turns-${randomUUID()}.test`
  const text = (label: string) => `${label} ${randomUUID()} ${'lorem ipsum '.repeat(8)}`
  const message = (role: string, label: string) =>
    `{"role":"${role}","content":${JSON.stringify(text(label))}}`
  const session = (turns: number) => {
    const system = JSON.stringify(text('system'))
    const messages: string[] = []
    return Array.from({ length: turns }, (_, t) => {
      if (t > 0) messages.push(message('assistant', `a${t}`))
      messages.push(message('user', `u${t}`))
      return `{"model":"m","system":${system},"messages":[${messages.join(',')}]}`
    })
  }
  const recordOf = (bodyJson: string, at = new Date()) => ({
    ...demoRecord({ domain, at }),
    requestId: randomUUID(),
    bodyJson,
  })
  const ageContent = async () => {
    await sql`update content_blobs set touched_at = now() - interval '1 day'`.execute(db().kysely)
    await sql`update content_lists set touched_at = now() - interval '1 day'`.execute(db().kysely)
  }
  const count = async (table: 'content_blobs' | 'content_lists') =>
    Number(
      (
        await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
          db().kysely,
        )
      ).rows[0]?.n,
    )
  const bodyOf = async (id: string) =>
    (
      await sql<{ text: string | null }>`select ${bodyTextExpr()} as text from api_requests
        where request_id = ${id}`.execute(db().kysely)
    ).rows[0]?.text

  test('a continuing turn adds rows for its new messages only, not for the whole history', async () => {
    const bodies = session(30)
    const added: number[] = []
    for (const body of bodies) {
      const before = (await count('content_blobs')) + (await count('content_lists'))
      const r = recordOf(body)
      await insertRequestRecords(db(), [r])
      added.push((await count('content_blobs')) + (await count('content_lists')) - before)
      assert.equal(await bodyOf(r.requestId), body)
    }
    // Turn 1: system + first message, as blobs and nodes. Later: 2 messages, 2 blobs + 2 nodes.
    assert.deepEqual(added, [4, ...Array<number>(29).fill(4)])
    const row = await sql<{ refs: number }>`select coalesce(octet_length(body_list), 0)
      + coalesce(octet_length(body_tail), 0) as refs from api_requests
      where domain = ${domain} order by seq desc limit 1`.execute(db().kysely)
    assert.ok((row.rows[0]?.refs ?? 99) < 40, 'a request row keeps one hash and the tail')
  })

  test('known content is not sent again, and is sent again once it may have been collected', async () => {
    let now = Date.now()
    const known = new KnownHashes(1000, KNOWN_FOR_MS, () => now)
    const [first, second] = session(2)
    const old = recordOf(first!, new Date(Date.now() - 60 * 86_400_000))
    await insertRequestRecords(db(), [old], { known, prefixes: new PrefixMemo() })
    assert.equal(known.size, 4, 'two blobs and two nodes')
    // Within the window a repeat sends nothing: a send would touch these rows, made to look stale.
    await ageContent()
    const repeat = recordOf(first!)
    await insertRequestRecords(db(), [repeat], { known, prefixes: new PrefixMemo() })
    assert.equal(await bodyOf(repeat.requestId), first)
    const fresh = await sql<{ n: number }>`select count(*)::int as n from content_lists
      where touched_at > now() - interval '1 hour'`.execute(db().kysely)
    assert.equal(fresh.rows[0]?.n, 0, 'nothing was sent')
    // A day later (both clocks): the old request and its content are collected; the cache must
    // not vouch for them any more, or the next turn would reference rows that are gone.
    await sql`delete from api_requests where request_id = ${repeat.requestId}`.execute(db().kysely)
    now += 86_400_000
    const pruned = await pruneRequests(db(), new Date(Date.now() - 30 * 86_400_000))
    assert.ok(pruned.blobs >= 2 && pruned.nodes >= 2, JSON.stringify(pruned))
    const next = recordOf(second!)
    await insertRequestRecords(db(), [next], { known, prefixes: new PrefixMemo() })
    assert.equal(await bodyOf(next.requestId), second)
  })
})
