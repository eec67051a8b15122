import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  openTestDatabase,
  testBackends,
  testDatabaseUrl,
  type TestDatabase,
} from '../../../test-support/test-database.ts'
import {
  loginCookie,
  sendThroughProxy,
  startDashboard,
  type DashboardHarness,
} from '../test-support.ts'
import { EventBus, parseLiveEvent, type LiveEvent } from './live-events.ts'
import { payloads } from './pg-relay.ts'

describe('NOTIFY payloads', () => {
  test('events are split under the 8000-byte limit and never lost in between', () => {
    const events: LiveEvent[] = Array.from({ length: 200 }, (_, i) => ({
      type: 'request',
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      domain: `team-${i}.example.com`,
      timestamp: '2026-11-25T12:00:00.000Z',
      model: 'claude-sonnet-4-5-20250929',
      status: 200,
    }))
    const out = payloads('origin', events)
    assert.ok(out.length > 1)
    for (const p of out) assert.ok(Buffer.byteLength(p) <= 7000)
    const back = out.flatMap((p) =>
      (JSON.parse(p) as { events: unknown[] }).events.map(parseLiveEvent),
    )
    assert.deepEqual(back, events)
  })

  test('malformed events from the wire are dropped', () => {
    assert.equal(parseLiveEvent({ type: 'request', id: 1 }), undefined)
    assert.equal(parseLiveEvent('x'), undefined)
    assert.equal(parseLiveEvent({ type: 'other' }), undefined)
  })

  test('a throwing subscriber does not stop the others', () => {
    const bus = new EventBus()
    const seen: string[] = []
    bus.subscribe(() => {
      throw new Error('broken')
    })
    bus.subscribe((e) => seen.push(e.type))
    bus.publish({ type: 'conversation', conversationId: 'c', domain: 'd' })
    assert.deepEqual(seen, ['conversation'])
  })
})

// LISTEN/NOTIFY is PostgreSQL's; on PGlite there is one process and the in-process bus.
describe(
  'live events across instances [postgres]',
  { skip: !testBackends.includes('postgres') },
  () => {
    let database: TestDatabase
    let a: DashboardHarness
    let b: DashboardHarness
    before(async () => {
      database = await openTestDatabase('postgres')
      const env = { DATABASE_URL: testDatabaseUrl() }
      a = await startDashboard(database.db, env)
      b = await startDashboard(database.db, { ...env, DASHBOARD_API_KEY: a.key })
    })
    after(async () => {
      await a?.close()
      await b?.close()
      await database?.close()
    })

    test("a request stored by one instance reaches the other instance's SSE clients", async () => {
      const cookie = await loginCookie(b.url, a.key)
      const controller = new AbortController()
      const res = await fetch(`${b.url}/events`, { headers: { cookie }, signal: controller.signal })
      const reader = res.body!.getReader()
      const decoder = new TextDecoder()
      let text = decoder.decode((await reader.read()).value, { stream: true })
      assert.match(text, /^event: ready/)
      const sent = await sendThroughProxy(a.proxy.url, {
        host: 'relay.test',
        body: {
          model: 'claude-haiku-4-5',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'hello' }],
        },
      })
      const deadline = Date.now() + 10_000
      while (!text.includes(sent.requestId)) {
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no event in ${text}`)), deadline - Date.now()),
        )
        const chunk = await Promise.race([reader.read(), timeout])
        text += decoder.decode(chunk.value, { stream: true })
      }
      assert.match(
        text,
        new RegExp(
          `event: request\\ndata: \\{"type":"request","id":"${sent.requestId}","domain":"relay.test"`,
        ),
      )
      controller.abort()
    })
  },
)
