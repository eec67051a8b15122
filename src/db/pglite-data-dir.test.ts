import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { openPglite } from './database.ts'
import { loadMigrations } from './migrate.ts'
import { createPgliteDataDir } from './pglite-data-dir.ts'

// PGlite only: the data directory and its template are the embedded backend's concern.
describe('creating the embedded data directory', () => {
  let root: string
  let templateDir: string
  const lines: string[] = []
  const options = () => ({ templateDir, progress: (line: string) => lines.push(line) })

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexus-datadir-'))
    templateDir = join(root, 'templates')
  })
  after(() => rm(root, { recursive: true, force: true }))

  test('a first start makes the template once, says so, and yields a migrated database', async () => {
    const dir = join(root, 'a', 'pglite')
    assert.equal(await createPgliteDataDir(dir, options()), true)
    assert.equal(lines.length, 3)
    assert.match(lines[0]!, /^creating the embedded database in .*a\/pglite \(first start\)$/)
    assert.match(lines[1]!, /^creating the embedded database template/)
    assert.match(lines[2]!, /^embedded database created in \d+\.\d s$/)
    const db = openPglite(dir)
    try {
      const applied = await sql<{ version: number }>`
        select version from schema_migrations order by version`.execute(db.kysely)
      const expected = (await loadMigrations()).map((m) => m.version)
      assert.deepEqual(
        applied.rows.map((r) => r.version),
        expected,
      )
      const buffers = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(db.kysely)
      assert.equal(buffers.rows[0]?.shared_buffers, '16MB')
    } finally {
      await db.close()
    }
  })

  test('an existing data directory is left alone', async () => {
    lines.length = 0
    assert.equal(await createPgliteDataDir(join(root, 'a', 'pglite'), options()), false)
    assert.deepEqual(lines, [])
  })

  test('the next data directory reuses the template, replacing leftovers of a failed start', async () => {
    lines.length = 0
    const dir = join(root, 'b', 'pglite')
    await mkdir(dir, { recursive: true })
    await mkdir(`${dir}.partial`)
    await writeFile(join(`${dir}.partial`, 'junk'), 'half a database')
    assert.equal(await createPgliteDataDir(dir, options()), true)
    assert.equal(lines.length, 2)
    assert.equal(existsSync(`${dir}.partial`), false)
    assert.equal(existsSync(join(dir, 'PG_VERSION')), true)
    assert.equal((await readdir(templateDir)).length, 1)
  })

  test('a data directory holding files of its own is not deleted', async () => {
    const dir = join(root, 'c', 'pglite')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'notes.txt'), 'mine')
    await assert.rejects(createPgliteDataDir(dir, options()), { code: 'ENOTEMPTY' })
    assert.equal(existsSync(join(dir, 'notes.txt')), true)
  })
})
