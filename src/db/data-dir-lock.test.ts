import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts'

const root = mkdtempSync(join(tmpdir(), 'nexus-lock-'))
after(() => rmSync(root, { recursive: true, force: true }))

function deadPid(): number {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(dead.stdout.toString())
}

test('a live owner refuses; a dead owner is taken over and named', () => {
  const dir = mkdtempSync(join(root, 'd-'))
  writeFileSync(join(dir, 'nexus.lock'), String(process.ppid))
  assert.throws(() => lockDataDir(dir), DataDirLockedError)

  const pid = deadPid()
  writeFileSync(join(dir, 'nexus.lock'), String(pid))
  const lock = lockDataDir(dir)
  assert.equal(lock.tookOverFrom, pid)
  assert.equal(readFileSync(join(dir, 'nexus.lock'), 'utf8'), String(process.pid))
  lock.release()
  assert.equal(existsSync(join(dir, 'nexus.lock')), false)
})

test('release never removes a lock another process took after ours was released', () => {
  const dir = mkdtempSync(join(root, 'd-'))
  const lock = lockDataDir(dir)
  assert.equal(lock.tookOverFrom, undefined)
  lock.release()
  writeFileSync(join(dir, 'nexus.lock'), String(process.ppid))
  lock.release()
  assert.equal(readFileSync(join(dir, 'nexus.lock'), 'utf8'), String(process.ppid))
})
