import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { WriterStats } from '../storage/storage-writer.ts'
import { healthRoutes, type HealthDeps } from './health-routes.ts'

const stats = (over: Partial<WriterStats> = {}): WriterStats => ({
  queued: 3,
  stored: 10,
  spooled: 4,
  replayed: 0,
  quarantined: 0,
  spoolBytes: 2048,
  spoolRecords: 4,
  degraded: true,
  ...over,
})

const deps = (over: Partial<HealthDeps>): HealthDeps => ({
  ping: () => Promise.resolve(),
  migrationsApplied: () => Promise.resolve(true),
  storage: () => stats({ degraded: false, spoolBytes: 0, spoolRecords: 0, queued: 0 }),
  needsDatabase: false,
  ...over,
})

test('live answers ok whatever the database does', async () => {
  const app = healthRoutes(deps({ ping: () => Promise.reject(new Error('down')) }))
  const res = await app.request('/health/live')
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { status: 'ok' })
})

test('ready reports everything up as ok', async () => {
  const res = await healthRoutes(deps({})).request('/health/ready')
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), {
    status: 'ok',
    database: 'up',
    migrations: 'applied',
    storage: 'ok',
    problems: [],
    queued: 0,
    spoolBytes: 0,
    spoolRecords: 0,
    quarantined: 0,
  })
})

test('a proxy with its database down stays ready (it spools) and says why', async () => {
  const app = healthRoutes(
    deps({ ping: () => Promise.reject(new Error('down')), storage: () => stats() }),
  )
  const res = await app.request('/health/ready')
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), {
    status: 'degraded',
    database: 'down',
    migrations: 'unknown',
    storage: 'spooling',
    problems: [
      'database unreachable',
      'records cannot be written to the database; spooling to disk',
    ],
    queued: 3,
    spoolBytes: 2048,
    spoolRecords: 4,
    quarantined: 0,
  })
})

test('the dashboard is not ready without its database', async () => {
  const app = healthRoutes(
    deps({ ping: () => Promise.reject(new Error('down')), needsDatabase: true }),
  )
  const res = await app.request('/health/ready')
  assert.equal(res.status, 503)
  assert.equal(((await res.json()) as { status: string }).status, 'unavailable')
})

test('pending migrations make either port unready', async () => {
  const app = healthRoutes(deps({ migrationsApplied: () => Promise.resolve(false) }))
  const res = await app.request('/health/ready')
  assert.equal(res.status, 503)
  const body = (await res.json()) as { migrations: string; problems: string[] }
  assert.equal(body.migrations, 'pending')
  assert.deepEqual(body.problems, ['database migrations pending: run `nexus migrate`'])
})

test('without storage the process reports its database as disabled', async () => {
  const app = healthRoutes(deps({ ping: null, migrationsApplied: null, storage: null }))
  const body = (await (await app.request('/health/ready')).json()) as Record<string, unknown>
  assert.deepEqual([body.status, body.database, body.storage], ['ok', 'disabled', 'disabled'])
  assert.deepEqual(await (await app.request('/health')).json(), {
    status: 'ok',
    storage: 'disabled',
  })
})
