import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import Anthropic from '@anthropic-ai/sdk'
import { openPostgres } from '../db/database.ts'
import { migrate } from '../db/migrate.ts'
import {
  describeEachDatabase,
  testBackends,
  testDatabaseUrl,
} from '../../test-support/test-database.ts'
import {
  countRows,
  startProxy,
  testKey,
  waitForRow,
  type ProxyHarness,
} from '../../test-support/proxy-harness.ts'
import { sseForMessage, textMessage } from '../../test-support/mock-anthropic.ts'
import { TcpFaultProxy } from '../../test-support/tcp-fault-proxy.ts'

const ask = (url: string, key: string, stream = false) =>
  fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      stream,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  })

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describeEachDatabase('streams that end badly', ({ db }) => {
  let h: ProxyHarness
  before(async () => {
    h = await startProxy(db())
  })
  after(() => h.close())

  test('an upstream reset between events reaches the SDK as an error event and is stored', async () => {
    const stream = Buffer.from(
      sseForMessage(textMessage('claude-haiku-4-5', 'a fairly long answer that gets cut')),
    )
    const boundary = stream.indexOf('\n\n', 300) + 2
    h.mock.handler = () => ({
      kind: 'sse',
      stream,
      splitAt: [boundary],
      delayMs: 20,
      resetAfterBytes: boundary,
    })
    const client = new Anthropic({ apiKey: testKey(), baseURL: h.url, maxRetries: 0 })
    const run = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    })
    await assert.rejects(run.finalMessage(), /Upstream stream failed/)
    const { response } = await run.withResponse()
    const row = await waitForRow(db(), response.headers.get('x-request-id')!)
    assert.equal(row.stream_end, 'upstream_error')
    assert.equal(row.status_code, 200)
    assert.match(row.error ?? '', /Upstream stream failed/)
  })

  test('an upstream reset inside an event closes the client connection abruptly', async () => {
    const stream = Buffer.from(sseForMessage(textMessage('claude-haiku-4-5', 'cut in the middle')))
    h.mock.handler = () => ({
      kind: 'sse',
      stream,
      splitAt: [300],
      delayMs: 20,
      resetAfterBytes: 400,
    })
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': testKey() },
      body: '{"stream":true}',
    })
    await assert.rejects(res.arrayBuffer())
    const row = await waitForRow(db(), res.headers.get('x-request-id')!)
    assert.equal(row.stream_end, 'upstream_error')
  })

  test('a client that hangs up mid-stream is stored as client_abort', async () => {
    const stream = Buffer.from(sseForMessage(textMessage('claude-haiku-4-5', 'slow answer')))
    h.mock.handler = () => ({ kind: 'sse', stream, splitAt: [200, 400, 600], delayMs: 300 })
    const controller = new AbortController()
    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': testKey() },
      body: '{"stream":true}',
      signal: controller.signal,
    })
    const id = res.headers.get('x-request-id')!
    const reader = res.body!.getReader()
    await reader.read()
    controller.abort()
    const row = await waitForRow(db(), id)
    assert.equal(row.stream_end, 'client_abort')
  })
})

describeEachDatabase('a slow database', ({ db }) => {
  test('never slows clients, and every request is stored once it recovers', async () => {
    const h = await startProxy(db(), { STORAGE_WRITE_TIMEOUT_MS: '200' })
    try {
      const domain = new URL(h.url).host
      // Hold an exclusive lock on the table: inserts wait, time out, and go to the spool.
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      const locked = db()
        .kysely.transaction()
        .execute(async (tx) => {
          await sql`lock table api_requests in access exclusive mode`.execute(tx)
          await held
        })
      await new Promise((r) => setTimeout(r, 50))
      const started = Date.now()
      const statuses = await Promise.all(
        Array.from({ length: 20 }, () => ask(h.url, testKey()).then((r) => r.status)),
      )
      const elapsed = Date.now() - started
      assert.deepEqual(statuses, Array(20).fill(200))
      assert.ok(elapsed < 2_000, `clients waited ${elapsed} ms`)
      await eventually(async () => h.app.writer!.stats().spooled > 0)
      release()
      await locked
      await eventually(async () => (await countRows(db(), domain)) === 20)
      // The flag clears once the spool segment is deleted, just after its rows land.
      await eventually(async () => !h.app.writer!.stats().degraded)
    } finally {
      await h.close()
    }
  })

  test('a record the database refuses for its content is kept without its body, and blocks nothing', async () => {
    const h = await startProxy(db())
    try {
      // A lone surrogate escape is valid JSON but jsonb refuses it.
      const poisoned = await fetch(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': testKey() },
        body: '{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"bad \\ud800 text"}]}',
      })
      const fine = await ask(h.url, testKey())
      const row = await waitForRow(db(), poisoned.headers.get('x-request-id')!)
      assert.equal(row.body, null)
      assert.match(row.error ?? '', /^body not storable: /)
      assert.equal(row.status_code, 200)
      assert.equal((await waitForRow(db(), fine.headers.get('x-request-id')!)).status_code, 200)
    } finally {
      await h.close()
    }
  })

  test('shutdown drains: what is queued is stored', async () => {
    const h = await startProxy(db(), { STORAGE_FLUSH_INTERVAL_MS: '60000' })
    const domain = new URL(h.url).host
    for (let i = 0; i < 5; i++) assert.equal((await ask(h.url, testKey())).status, 200)
    await new Promise((r) => setImmediate(r))
    await h.close()
    assert.equal(await countRows(db(), domain), 5)
  })
})

describe(
  'PostgreSQL going down',
  { skip: !testBackends.includes('postgres') && 'postgres not in NEXUS_TEST_BACKENDS' },
  () => {
    const schema = `t_down_${Math.random().toString(36).slice(2, 10)}`
    const relay = new TcpFaultProxy('127.0.0.1', Number(new URL(testDatabaseUrl()).port || 5432))
    const admin = openPostgres({ url: testDatabaseUrl(), maxConnections: 1 })
    let h: ProxyHarness
    let db: ReturnType<typeof openPostgres>

    before(async () => {
      await admin.exec(`create schema ${schema}`)
      const url = new URL(testDatabaseUrl())
      url.port = String(await relay.start())
      db = openPostgres({ url: url.href, schema })
      await migrate(db)
      h = await startProxy(db, { STORAGE_WRITE_TIMEOUT_MS: '500' })
    })
    after(async () => {
      await h.close()
      await db.close()
      await relay.close()
      await admin.exec(`drop schema ${schema} cascade`)
      await admin.close()
    })

    test('clients are unaffected while it is down, and every request is in it after it returns', async () => {
      const direct = openPostgres({ url: testDatabaseUrl(), schema, maxConnections: 1 })
      try {
        const domain = new URL(h.url).host
        for (let i = 0; i < 5; i++) assert.equal((await ask(h.url, testKey())).status, 200)
        await eventually(async () => (await countRows(direct, domain)) === 5)
        const spooledBefore = h.app.writer!.stats().spooled
        await relay.cut()
        const cutAt = new Date()
        const during = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            ask(h.url, testKey(), i % 2 === 0).then(async (r) => (await r.arrayBuffer(), r.status)),
          ),
        )
        assert.deepEqual(during, Array(30).fill(200))
        await eventually(async () => h.app.writer!.stats().degraded)
        // Every record of the outage is counted once as spooled, none twice.
        await eventually(async () => h.app.writer!.stats().spooled - spooledBefore >= 30)
        assert.equal(h.app.writer!.stats().spooled - spooledBefore, 30)
        const ready = (await (await fetch(`${h.url}/health/ready`)).json()) as {
          status: string
          problems: string[]
          spoolBytes: number
        }
        assert.equal(ready.status, 'degraded')
        assert.ok(ready.problems.includes('database unreachable'))
        assert.ok(ready.spoolBytes > 0)
        assert.equal(await countRows(direct, domain), 5)
        await relay.restore()
        await eventually(async () => (await countRows(direct, domain)) === 35)
        const order = await sql<{ ok: boolean }>`
        select max(seq) filter (where timestamp < ${cutAt.toISOString()}) < min(seq) filter (where timestamp >= ${cutAt.toISOString()}) as ok
        from api_requests where domain = ${domain}`.execute(direct.kysely)
        assert.equal(order.rows[0]?.ok, true, 'spooled requests were stored after the earlier ones')
      } finally {
        await direct.close()
      }
    })
    test('requests spooled at shutdown are stored by the next process', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'nexus-spool-'))
      const direct = openPostgres({ url: testDatabaseUrl(), schema, maxConnections: 1 })
      try {
        const first = await startProxy(db, { DATA_DIR: dataDir, STORAGE_WRITE_TIMEOUT_MS: '300' })
        const domain = new URL(first.url).host
        await relay.cut()
        for (let i = 0; i < 4; i++) assert.equal((await ask(first.url, testKey())).status, 200)
        await first.close()
        assert.ok((await readdir(join(dataDir, 'spool'))).length > 0, 'records wait on disk')
        assert.equal(await countRows(direct, domain), 0)
        await relay.restore()
        const second = await startProxy(db, { DATA_DIR: dataDir })
        try {
          await eventually(async () => (await countRows(direct, domain)) === 4)
          await eventually(async () => (await readdir(join(dataDir, 'spool'))).length === 0)
        } finally {
          await second.close()
        }
      } finally {
        await direct.close()
        await rm(dataDir, { recursive: true, force: true })
      }
    })
  },
)
