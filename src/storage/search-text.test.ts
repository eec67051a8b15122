import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it, test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import { insertRequestRecords } from './request-store.ts'
import { searchTextOf } from './search-text.ts'

const SECRET = 'sk-ant-api03-' + 'Q'.repeat(40)

describe('searchTextOf', () => {
  it('reads the last message, the answer text blocks and the error', () => {
    const body = {
      messages: [
        { role: 'user', content: 'not this one' },
        { role: 'assistant', content: 'nor this' },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: 'tool output is skipped' },
            { type: 'text', text: 'Why does the build fail?' },
            { type: 'text', text: 'It says exit 2.' },
          ],
        },
      ],
    }
    const answer = [
      { type: 'thinking', thinking: 'hidden' },
      { type: 'text', text: 'The linker' },
      { type: 'tool_use', id: 't2', name: 'Bash', input: {} },
    ]
    assert.equal(
      searchTextOf(body, answer, 'overloaded'),
      'Why does the build fail? It says exit 2. The linker overloaded',
    )
  })

  it('masks secrets and drops NUL characters', () => {
    const body = { messages: [{ role: 'user', content: `key ${SECRET}\u0000 here` }] }
    assert.equal(searchTextOf(body, null, null), 'key sk-ant-api03-[redacted] here')
  })

  it('is cut at 8,000 characters, never inside a surrogate pair', () => {
    const text = 'a'.repeat(7_999) + '😀 more'
    const cut = searchTextOf({ messages: [{ role: 'user', content: text }] }, null, null)
    assert.equal(cut, 'a'.repeat(7_999))
    const even = searchTextOf({ messages: [{ role: 'user', content: 'b' + text }] }, null, null)
    assert.equal(even, 'b' + 'a'.repeat(7_999))
  })

  it('is empty for bodies of any other shape', () => {
    for (const body of [null, 'text', [1], { messages: 'no' }, { messages: [7] }])
      assert.equal(searchTextOf(body, undefined, null), '')
  })
})

describeEachDatabase('search documents written with the request', ({ db }) => {
  const domain = `search-${randomUUID().slice(0, 8)}.test`
  const at = new Date('2026-11-20T10:00:00Z')
  const inputs = [
    { messages: [{ role: 'user' as const, content: 'plain string question about otters' }] },
    {
      messages: [
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'blocks about voles' }] },
      ],
      response: [{ type: 'text' as const, text: 'an answer about moles' }],
    },
    { status: 529, error: { type: 'overloaded_error', message: 'Overloaded, try later' } },
  ]

  test('equal what the database derives from the stored bodies', async () => {
    const records = inputs.map((input) => {
      const record = demoRecord({ at, domain, ...input })
      const response = JSON.parse(record.responseJson ?? 'null') as { content?: unknown } | null
      const text = searchTextOf(JSON.parse(record.bodyJson!), response?.content, record.error)
      return { ...record, searchText: text }
    })
    await insertRequestRecords(db(), records)
    const rows = await sql<{ given: string; derived: string }>`
      select s.document::text as given,
        to_tsvector('simple'::regconfig, coalesce(nexus_search_text(nexus_request_body(r.body, r.body_segments, r.body_refs, r.body_list, r.body_tail),
          r.response_body, r.error), ''))::text as derived
      from api_requests r join request_search s using (request_id)
      where r.domain = ${domain} order by r.seq`.execute(db().kysely)
    assert.equal(rows.rows.length, 3)
    for (const row of rows.rows) assert.equal(row.given, row.derived)
    assert.match(rows.rows[0]!.given, /'otters'/)
    assert.match(rows.rows[1]!.given, /'moles'.*'voles'|'voles'.*'moles'/)
  })

  test('a record spooled without a search text gets its document from the bodies', async () => {
    const record = demoRecord({
      at,
      domain,
      messages: [{ role: 'user', content: 'spooled before search texts: capybara' }],
    })
    delete record.searchText
    await insertRequestRecords(db(), [record])
    const found = await sql<{ n: number }>`select count(*)::int as n from request_search
      where request_id = ${record.requestId} and document @@ to_tsquery('simple', 'capybara')`.execute(
      db().kysely,
    )
    assert.equal(found.rows[0]?.n, 1)
  })
})
