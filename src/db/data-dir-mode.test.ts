import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { secureDataDir } from './data-dir-mode.ts'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'nexus-mode-'))
})
after(() => rm(root, { recursive: true, force: true }))

const modeOf = async (path: string) => (await stat(path)).mode & 0o777

test('a new DATA_DIR is created 0700, parents included', async () => {
  const dir = join(root, 'new', 'data')
  assert.equal(secureDataDir(dir), undefined)
  assert.equal(await modeOf(dir), 0o700)
  assert.equal(await modeOf(join(root, 'new')), 0o700)
})

test('an existing looser DATA_DIR is tightened to 0700 with a warning', async () => {
  const dir = join(root, 'loose')
  await mkdir(dir)
  await chmod(dir, 0o755)
  assert.match(secureDataDir(dir) ?? '', /was mode 0755; tightened to 0700/)
  assert.equal(await modeOf(dir), 0o700)
  assert.equal(secureDataDir(dir), undefined, 'no warning once tight')
})
