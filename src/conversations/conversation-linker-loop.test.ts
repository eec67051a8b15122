import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { startProxy, testKey, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import {
  assistantMessage,
  ClaudeCodeSession,
  firstUserMessage,
  linkView,
  storeTraffic,
  testDomain,
  text,
  userMessage,
} from '../../test-support/conversation-traffic.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import type { Database } from '../db/database.ts'
import { silentLog } from '../log.ts'
import { ConversationLinker, linkPending } from './conversation-linker.ts'
import { createConversationStore } from './conversation-store.ts'

async function waitUntilLinked(db: Database, requestIds: string[], timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await sql<{ n: number }>`select count(*)::int as n from api_requests
      where request_id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(requestIds)}::jsonb))
        and seq <= (select linked_through from conversation_link_state)`.execute(db.kysely)
    if (r.rows[0]?.n === requestIds.length) return
    if (Date.now() > deadline) throw new Error('requests were not linked in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describeEachDatabase('the linker loop', ({ db, backend }) => {
  test('the proxy links what it stores, in the background', async () => {
    const h: ProxyHarness = await startProxy(db())
    try {
      const s = new ClaudeCodeSession('localhost')
      const key = testKey()
      const send = async (body: unknown) => {
        const res = await fetch(`${h.url}/v1/messages`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': key,
            'anthropic-version': '2023-06-01',
            ...s.headers(),
          },
          body: JSON.stringify(body),
        })
        await res.arrayBuffer()
        return res.headers.get('x-request-id')!
      }
      const u1 = firstUserMessage('What is in src/?')
      const first = await send({ ...s.body([u1]), stream: false })
      const second = await send({
        ...s.body([
          u1,
          assistantMessage(text('Hello from the mock.')),
          userMessage('And in test/?'),
        ]),
        stream: false,
      })
      await waitUntilLinked(db(), [first, second])
      const view = await linkView(
        db(),
        new Map([
          ['first', first],
          ['second', second],
        ]),
      )
      assert.deepEqual(view, {
        first: ['first', 'main', 'root', null, false, null],
        second: ['first', 'main', 'parent', 'first', false, null],
      })
    } finally {
      await h.close()
    }
  })

  test('a stopped linker links nothing more', async () => {
    const linker = new ConversationLinker({
      store: createConversationStore(db()),
      log: silentLog,
      pollIntervalMs: 10,
    })
    linker.start()
    await linker.stop()
    const domain = testDomain()
    const ids = await storeTraffic(db(), [
      {
        label: 'late',
        domain,
        body: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
      },
    ])
    linker.wake()
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(await linkView(db(), ids), { late: [null, null, null, null, false, null] })
    await linkPending(createConversationStore(db()))
    assert.deepEqual(await linkView(db(), ids), {
      late: ['late', 'main', 'root', null, false, null],
    })
  })

  if (backend === 'postgres') {
    test('one process links at a time: the others find the lock taken', async () => {
      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      let entered!: () => void
      const holding = new Promise<void>((resolve) => (entered = resolve))
      const first = createConversationStore(db()).tryLinking(async (tx) => {
        await tx.readPending(0)
        entered()
        await held
        return 'done'
      })
      await holding
      try {
        assert.deepEqual(await linkPending(createConversationStore(db())), {
          linked: 0,
          busy: true,
        })
      } finally {
        release()
      }
      assert.equal(await first, 'done')
      assert.equal((await linkPending(createConversationStore(db()))).busy, false)
    })

    test('inserting transactions take turns, so seq order is commit order', async () => {
      const row = () => ({
        request_id: randomUUID(),
        timestamp: new Date().toISOString(),
        domain: testDomain(),
        method: 'GET',
        path: '/v1/models',
        is_streaming: false,
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        total_tokens: 0,
        message_count: 0,
        tool_call_count: 0,
      })
      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      let inserted!: () => void
      const firstInserted = new Promise<void>((resolve) => (inserted = resolve))
      const a = row()
      const b = row()
      const first = db()
        .kysely.transaction()
        .execute(async (trx) => {
          await trx.insertInto('api_requests').values(a).execute()
          inserted()
          await held
        })
      await firstInserted
      let secondDone = false
      const second = db()
        .kysely.insertInto('api_requests')
        .values(b)
        .execute()
        .then(() => (secondDone = true))
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.equal(secondDone, false, 'the second insert waits for the first transaction')
      release()
      await Promise.all([first, second])
      const seqs = await db()
        .kysely.selectFrom('api_requests')
        .select(['request_id', 'seq'])
        .where('request_id', 'in', [a.request_id, b.request_id])
        .orderBy('seq')
        .execute()
      assert.deepEqual(
        seqs.map((r) => r.request_id),
        [a.request_id, b.request_id],
      )
    })
  }
})
