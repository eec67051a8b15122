import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { insertRequestRecords } from '../storage/request-store.ts'
import { usageRecord } from '../usage/usage-test-records.ts'
import { testBackends } from '../../test-support/test-database.ts'
import { runNexus } from '../../test-support/nexus-process.ts'
import { newPlace, type Place } from '../../test-support/fresh-database.ts'
import { detectBackupFormat } from './backup.ts'
import type { Database } from './database.ts'

async function storedRows(db: Database) {
  const requests = await db.kysely
    .selectFrom('api_requests')
    .select(['request_id', 'domain', 'input_tokens', 'output_tokens', 'body'])
    .orderBy('request_id')
    .execute()
  const usage = await db.kysely
    .selectFrom('token_usage')
    .select(['request_id', 'input_tokens', 'cost_nano_usd'])
    .orderBy('request_id')
    .execute()
  return { requests, usage }
}

for (const backend of testBackends) {
  describe(`nexus db backup / restore [${backend}]`, () => {
    let root: string
    const places: Place[] = []
    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'nexus-backup-'))
    })
    after(async () => {
      for (const place of places) await place.drop()
      await rm(root, { recursive: true, force: true })
    })

    test('backup, then restore into a fresh database: the same rows; no overwrite without --force', async () => {
      const source = await newPlace(backend, root)
      const target = await newPlace(backend, root)
      places.push(source, target)
      const db = await source.open()
      let expected
      try {
        await insertRequestRecords(
          db,
          [1, 2, 3].map((n) =>
            usageRecord({
              domain: `team-${n}.example.com`,
              inputTokens: n * 100,
              outputTokens: n,
              bodyJson: JSON.stringify({ messages: [{ role: 'user', content: `hello ${n}` }] }),
            }),
          ),
        )
        expected = await storedRows(db)
      } finally {
        await db.close()
      }
      assert.equal(expected.requests.length, 3)
      assert.equal(expected.usage.length, 3)

      const file = join(root, `backup-${backend}`)
      const backup = await runNexus(['db', 'backup', '--file', file, '--json'], source.env)
      assert.equal(backup.code, 0, backup.stderr)
      const format = backend === 'pglite' ? 'pglite-tar' : 'pg-custom'
      assert.equal((JSON.parse(backup.stdout) as { format: string }).format, format)
      assert.equal(await detectBackupFormat(file), format)

      const restore = await runNexus(['db', 'restore', '--file', file], target.env)
      assert.equal(restore.code, 0, restore.stderr)
      const restored = await target.open()
      try {
        assert.deepEqual(await storedRows(restored), expected)
      } finally {
        await restored.close()
      }

      const again = await runNexus(['db', 'restore', '--file', file], target.env)
      assert.equal(again.code, 4, again.stderr)
      assert.match(again.stderr, /--force/)
      const forced = await runNexus(['db', 'restore', '--file', file, '--force'], target.env)
      assert.equal(forced.code, 0, forced.stderr)
      const replaced = await target.open()
      try {
        assert.deepEqual(await storedRows(replaced), expected)
      } finally {
        await replaced.close()
      }
      if (backend === 'pglite') {
        const kept = (await readdir(target.env['DATA_DIR']!)).filter((n) => n.includes('replaced'))
        assert.equal(kept.length, 1, 'the replaced database is kept aside')
      }
    })

    test('refuses a file that is not a backup for this backend, and a missing file', async () => {
      const target = await newPlace(backend, root)
      places.push(target)
      const file = join(root, 'not-a-backup')
      await writeFile(file, 'hello')
      const run = await runNexus(['db', 'restore', '--file', file], target.env)
      assert.equal(run.code, 1)
      assert.match(run.stderr, /is not a nexus backup/)
      const missing = await runNexus(['db', 'restore', '--file', join(root, 'nope')], target.env)
      assert.equal(missing.code, 3)
      assert.ok(!existsSync(join(target.env['DATA_DIR']!, 'pglite')))
    })
  })
}
