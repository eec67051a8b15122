import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
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

test('the spool counts its records, also those a restart finds on disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nexus-spool-test-'))
  try {
    const spool = new Spool(dir)
    await spool.init()
    assert.equal(spool.records(), 0)
    await spool.append([record(), record()])
    await spool.append([record()])
    assert.equal(spool.records(), 3)
    const closed = await spool.rotate()
    await spool.append([record()])
    assert.equal(spool.records(), 4)
    const restarted = new Spool(dir)
    await restarted.init()
    assert.equal(restarted.records(), 4)
    for (const segment of closed) await restarted.remove(segment)
    assert.equal(restarted.records(), 1)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a backlog spooled at once is written whole: more lines than one writev takes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nexus-spool-test-'))
  try {
    const spool = new Spool(dir)
    await spool.init()
    // 1,500 records are 3,000 buffers, beyond IOV_MAX (1,024) for a single writev.
    const records = Array.from({ length: 1500 }, (_, i) => ({ ...record(), requestId: `r${i}` }))
    await spool.append(records)
    const [segment] = await spool.rotate()
    const read: string[] = []
    for await (const batch of spool.readBatches(segment!, 100)) {
      read.push(...batch.map((r) => r.requestId))
    }
    assert.deepEqual(
      read,
      records.map((r) => r.requestId),
    )
    assert.equal(spool.bytes(), (await stat(join(dir, '000000000001.jsonl'))).size)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
