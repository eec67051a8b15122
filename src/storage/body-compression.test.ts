import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describeEachDatabase } from '../../test-support/test-database.ts'

// Migration 040: lz4 where the server has it (PostgreSQL as installed here), pglz otherwise.
describeEachDatabase('body compression', ({ db, backend }) => {
  test('bodies use lz4 on PostgreSQL and keep the default where lz4 is missing', async () => {
    const rows = await sql<{ attname: string; attcompression: string }>`
      select attname, attcompression::text as attcompression from pg_attribute
      where attrelid = 'api_requests'::regclass and attname in ('body', 'response_body')
      order by attname`.execute(db().kysely)
    const expected = backend === 'postgres' ? 'l' : ''
    assert.deepEqual(
      rows.rows.map((r) => [r.attname, r.attcompression]),
      [
        ['body', expected],
        ['response_body', expected],
      ],
    )
  })
})
