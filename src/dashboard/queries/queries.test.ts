import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../../test-support/test-database.ts'
import { insertRequestRecords } from '../../storage/request-store.ts'
import { inScope, scopeForDomains, type DomainScope } from '../auth/scope.ts'
import { demoRecord } from '../demo/demo-records.ts'
import { seedConversation } from '../demo/demo-conversations.ts'
import { findConversationRequests, listConversations } from './conversation-queries.ts'
import { findRequest, listRequests } from './request-queries.ts'
import { scopeSql } from './scope-sql.ts'

describeEachDatabase('dashboard queries', ({ db }) => {
  const run = randomUUID().slice(0, 8)
  const domain = `q-${run}.test`
  const t0 = Date.parse('2026-11-20T10:00:00Z')
  const ids: string[] = []

  before(async () => {
    const records = Array.from({ length: 120 }, (_, i) =>
      demoRecord({
        at: new Date(t0 + i * 60_000),
        domain,
        model: i % 3 === 0 ? 'claude-haiku-4-5-20251001' : 'claude-sonnet-4-5-20250929',
        status: i % 10 === 0 ? 529 : 200,
        messages: [
          { role: 'user', content: 'an earlier message mentions zebra' },
          { role: 'assistant', content: 'ok' },
          {
            role: 'user',
            content: [
              { type: 'text', text: `request number ${i} about ${i === 7 ? 'quokka' : 'nothing'}` },
            ],
          },
        ],
        response: [{ type: 'text', text: i === 8 ? 'the answer mentions wombat' : 'fine' }],
        ...(i === 10
          ? { error: { type: 'overloaded_error', message: 'upstream says platypus' } }
          : {}),
      }),
    )
    ids.push(...records.map((r) => r.requestId))
    await insertRequestRecords(db(), records)
  })

  test('keyset pages: newest first, no duplicates, no gaps', async () => {
    const scope: DomainScope = { kind: 'all' }
    const seen: string[] = []
    let before: Parameters<typeof listRequests>[3] = {}
    for (;;) {
      const page = await listRequests(db(), scope, { domain }, before)
      seen.push(...page.rows.map((r) => r.request_id))
      if (!page.next) break
      before = { before: page.next }
    }
    assert.deepEqual(seen, [...ids].reverse())
  })

  test('filters by model, status and time', async () => {
    const all: DomainScope = { kind: 'all' }
    const haiku = await listRequests(
      db(),
      all,
      { domain, model: 'claude-haiku-4-5-20251001' },
      { limit: 500 },
    )
    assert.equal(haiku.rows.length, 40)
    const errors = await listRequests(db(), all, { domain, status: 'error' }, { limit: 500 })
    assert.deepEqual(
      errors.rows.map((r) => r.status_code),
      Array(12).fill(529),
    )
    const window = await listRequests(
      db(),
      all,
      { domain, from: new Date(t0 + 10 * 60_000), to: new Date(t0 + 20 * 60_000) },
      { limit: 500 },
    )
    assert.equal(window.rows.length, 10)
  })

  test('search finds words in the last user message, the answer and the error only', async () => {
    const all: DomainScope = { kind: 'all' }
    const find = async (q: string) =>
      (await listRequests(db(), all, { domain, q })).rows.map((r) => r.request_id)
    assert.deepEqual(await find('quokka'), [ids[7]])
    assert.deepEqual(await find('wombat'), [ids[8]])
    assert.deepEqual(await find('platypus'), [ids[10]])
    assert.deepEqual(await find('zebra'), [], 'earlier messages are not searched')
    assert.deepEqual(await find('"request number 7"'), [ids[7]])
    // Paging through search results follows the same keyset.
    const first = await listRequests(db(), all, { domain, q: 'nothing' }, { limit: 100 })
    const rest = await listRequests(
      db(),
      all,
      { domain, q: 'nothing' },
      { limit: 100, ...(first.next ? { before: first.next } : {}) },
    )
    assert.equal(first.rows.length + rest.rows.length, 119)
    assert.equal(new Set([...first.rows, ...rest.rows].map((r) => r.request_id)).size, 119)
  })

  test('a deleted request takes its search document with it', async () => {
    const record = demoRecord({
      at: new Date(t0),
      domain: `del-${run}.test`,
      messages: [{ role: 'user', content: 'ephemeral capybara' }],
    })
    await insertRequestRecords(db(), [record])
    const count = async () =>
      (
        await sql<{
          n: number
        }>`select count(*)::int as n from request_search where request_id = ${record.requestId}`.execute(
          db().kysely,
        )
      ).rows[0]?.n
    assert.equal(await count(), 1)
    await sql`delete from token_usage where request_id = ${record.requestId}`.execute(db().kysely)
    await sql`delete from api_requests where request_id = ${record.requestId}`.execute(db().kysely)
    assert.equal(await count(), 0)
  })

  test('bodies of any shape can be stored: the search index never fails an insert', async () => {
    const odd = [
      null,
      '"a string"',
      '[1,2,3]',
      '{"messages":"nope"}',
      '{"messages":[1,{"content":[null,"x",{"type":"text","text":7}]}]}',
      '{"messages":[{"role":"user","content":{"text":"obj"}}]}',
    ]
    const records = odd.map((bodyJson) => ({
      ...demoRecord({ at: new Date(t0), domain: `odd-${run}.test` }),
      bodyJson,
      responseJson: '"weird"',
    }))
    await insertRequestRecords(db(), records)
    const r = await sql<{
      n: number
    }>`select count(*)::int as n from api_requests where domain = ${`odd-${run}.test`}`.execute(
      db().kysely,
    )
    assert.equal(r.rows[0]?.n, odd.length)
  })

  test('the SQL scope and the in-memory scope agree', async () => {
    const domains = [
      's.test',
      's.test:3000',
      's.test:4000',
      'other.test',
      'other.test:3000',
      's.testx',
      'x.s.test',
      'S_.test',
      '[::1]',
      '[::1]:8080',
    ]
    const rows = domains.map((d) =>
      demoRecord({ at: new Date(t0), domain: `${d}`.replace('s.test', `s-${run}.test`) }),
    )
    await insertRequestRecords(db(), rows)
    const files = [`s-${run}.test`, `s-${run}.test:4000`, 'other.test:3000', '[::1]']
    for (const scope of [
      scopeForDomains([`s-${run}.test`], files),
      scopeForDomains([`s-${run}.test:4000`], files),
      scopeForDomains(['other.test:3000', '[::1]'], files),
    ]) {
      const r = await sql<{
        domain: string
      }>`select domain from api_requests where request_id in (${sql.join(rows.map((x) => x.requestId))}) and ${scopeSql(scope)}`.execute(
        db().kysely,
      )
      const expected = rows
        .map((x) => x.domain)
        .filter((d) => inScope(scope, d))
        .sort()
      assert.deepEqual(r.rows.map((x) => x.domain).sort(), expected)
      assert.ok(expected.length > 0)
    }
    assert.deepEqual(scopeForDomains([`s-${run}.test`], files), {
      kind: 'domains',
      exact: [`s-${run}.test`],
      hostPrefixes: [`s-${run}.test:`],
      excluded: [`s-${run}.test:4000`],
    })
  })

  test('a scoped viewer cannot open another domain by id', async () => {
    const scope = scopeForDomains(['elsewhere.test'], ['elsewhere.test'])
    assert.equal(await findRequest(db(), scope, ids[0] as string), undefined)
    assert.equal((await findRequest(db(), { kind: 'all' }, ids[0] as string))?.request_id, ids[0])
    assert.equal(await findRequest(db(), { kind: 'all' }, 'not-a-uuid'), undefined)
  })

  test('conversations: list pages and the tree, scoped', async () => {
    const cdomain = `c-${run}.test`
    const seeded = []
    for (let i = 0; i < 3; i++)
      seeded.push(
        await seedConversation(db(), {
          domain: cdomain,
          start: new Date(t0 + i * 3_600_000),
          marker: `m${i}`,
        }),
      )
    const first = await listConversations(db(), { kind: 'all' }, { domain: cdomain, limit: 2 })
    assert.deepEqual(
      first.rows.map((r) => r.conversation_id),
      [seeded[2]?.conversationId, seeded[1]?.conversationId],
    )
    const second = await listConversations(
      db(),
      { kind: 'all' },
      { domain: cdomain, limit: 2, ...(first.next ? { before: first.next } : {}) },
    )
    assert.deepEqual(
      second.rows.map((r) => r.conversation_id),
      [seeded[0]?.conversationId],
    )
    assert.equal(second.next, undefined)
    const row = first.rows[0]
    assert.equal(row?.request_count, 8)
    const tree = await findConversationRequests(
      db(),
      { kind: 'all' },
      seeded[0]?.conversationId as string,
    )
    assert.deepEqual(
      tree.rows.map((r) => r.branch_id),
      ['main', 'main', 'main', 'subtask_1', 'subtask_1', 'branch_1', 'main', 'compact_1'],
    )
    const hidden = await findConversationRequests(
      db(),
      scopeForDomains(['elsewhere.test'], []),
      seeded[0]?.conversationId as string,
    )
    assert.deepEqual(hidden.rows, [])
    const listHidden = await listConversations(db(), scopeForDomains(['elsewhere.test'], []), {
      domain: cdomain,
    })
    assert.deepEqual(listHidden.rows, [])
  })
})
