import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { demoRecord } from '../dashboard/demo/demo-records.ts'
import { Spool } from './spool.ts'

const record = () => demoRecord({ at: new Date('2026-01-01T00:00:00Z'), domain: 'spool.test' })

test('records appended while a replayed segment is removed still count as spooled', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nexus-spool-test-'))
  try {
    const spool = new Spool(dir)
    await spool.init()
    await spool.append([record()])
    assert.deepEqual(await spool.rotate(), [1])
    const removing = spool.remove(1)
    const appending = spool.append([record(), record()])
    await Promise.all([removing, appending])
    assert.equal(spool.isEmpty(), false)
    assert.deepEqual(await spool.segments(), [2])
    let read = 0
    for await (const batch of spool.readBatches(2, 10)) read += batch.length
    assert.equal(read, 2)
    assert.ok(spool.bytes() > 0)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
