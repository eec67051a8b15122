import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, before, test } from 'node:test'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import {
  loginCookie,
  randomKey,
  startDashboard,
  writeCredentialFile,
  type DashboardHarness,
} from '../dashboard/test-support.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import { linkPending } from '../conversations/conversation-linker.ts'
import { createConversationStore } from '../conversations/conversation-store.ts'
import { SPARK_MARKDOWN, SparkServer, sparkRecord } from './test-spark-server.ts'

const SPARK_KEY = 'spark-secret-key-0123456789abcdef'
const SESSION_A = 'sess/a?x=1#frag %'
const SESSION_B = 'sess-b'
const spark = new SparkServer(SPARK_KEY)
after(() => spark.close())

describeEachDatabase('Spark routes', ({ db }) => {
  let h: DashboardHarness
  let keyA: string
  let reqA: string
  let reqB: string
  before(async () => {
    h = await startDashboard(db(), { SPARK_API_URL: await spark.start(), SPARK_API_KEY: SPARK_KEY })
    keyA = randomKey('cnp_live_')
    await writeCredentialFile(h.proxy.credentialsDir, 'spark-a.test', [keyA])
    await writeCredentialFile(h.proxy.credentialsDir, 'spark-b.test', [randomKey('cnp_live_')])
    const a = sparkRecord('spark-a.test', SESSION_A, SPARK_MARKDOWN)
    const b = sparkRecord('spark-b.test', SESSION_B, '# B only')
    await insertRequestRecords(db(), [a, b])
    reqA = a.requestId
    reqB = b.requestId
  })
  after(() => h?.close())

  const api = (path: string, key: string, body?: unknown) =>
    fetch(`${h.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-dashboard-key': key, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  const form = (cookie: string, requestId: string, fields: Record<string, string>) =>
    fetch(`${h.url}/requests/${requestId}/spark-feedback`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie,
        origin: h.url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields),
    })
  const page = async (cookie: string, path: string) => {
    const res = await fetch(`${h.url}${path}`, { headers: { cookie } })
    assert.equal(res.status, 200)
    return res.text()
  }

  test('the request page shows the card: sanitised markdown, sections, a form, no key', async () => {
    const html = await page(await loginCookie(h.url, h.key), `/requests/${reqA}`)
    assert.match(html, /data-testid="spark-card" data-session="sess\/a\?x=1#frag %"/)
    assert.match(html, /<h3>Migrate in two steps<\/h3>/)
    assert.match(html, /<li>Run <code>nexus migrate<\/code><\/li>/)
    assert.match(
      html,
      /<a href="https:\/\/kysely.dev\/docs\/migrations" rel="noopener noreferrer nofollow" target="_blank">the guide<\/a>/,
    )
    assert.match(html, /&lt;script&gt;window.__pwned/)
    assert.doesNotMatch(html, /<script>window|href="javascript/)
    assert.equal(html.match(/data-testid="spark-section"/g)?.length, 3)
    assert.match(html, /Asked: kysely 0.28 migrate/)
    assert.ok(!html.includes(SPARK_KEY))
  })

  test("the conversation page shows the cards of its branch's latest request", async () => {
    await linkPending(createConversationStore(db()))
    const row = await db()
      .kysely.selectFrom('api_requests')
      .select('conversation_id')
      .where('request_id', '=', reqA)
      .executeTakeFirstOrThrow()
    assert.ok(row.conversation_id)
    const html = await page(
      await loginCookie(h.url, h.key),
      `/conversations/${row.conversation_id}`,
    )
    assert.match(html, /<h2>Spark recommendations<\/h2>/)
    assert.match(html, /data-testid="spark-card" data-session="sess\/a\?x=1#frag %"/)
    assert.match(html, new RegExp(`action="/requests/${reqA}/spark-feedback"`))
  })

  test('JSON API: send, read in a batch and by URL-encoded session id', async () => {
    const sent = await api('/api/spark/feedback', h.key, {
      requestId: reqA,
      sessionId: SESSION_A,
      rating: 5,
      comments: 'spot on',
      sections: [{ sectionId: 'steps', rating: 4, comments: 'short' }],
    })
    assert.equal(sent.status, 201)
    const call = spark.calls.at(-1)!
    assert.equal(call.headers['x-api-key'], SPARK_KEY)
    assert.deepEqual(call.body, {
      session_id: SESSION_A,
      rating: 5,
      comments: 'spot on',
      sections: [{ section_id: 'steps', rating: 4, comments: 'short' }],
    })
    const batch = await api('/api/spark/feedback/batch', h.key, { requestId: reqA })
    assert.deepEqual(await batch.json(), {
      feedback: {
        [SESSION_A]: {
          rating: 5,
          comments: 'spot on',
          sections: [{ sectionId: 'steps', rating: 4, comments: 'short' }],
          submittedAt: '2026-12-06T04:00:00.000Z',
        },
      },
    })
    const one = await api(
      `/api/spark/sessions/${encodeURIComponent(SESSION_A)}/feedback?requestId=${reqA}`,
      h.key,
    )
    assert.equal(one.status, 200)
    assert.equal(((await one.json()) as { feedback: { rating: number } }).feedback.rating, 5)
    assert.equal(spark.calls.at(-1)!.path, '/sessions/sess%2Fa%3Fx%3D1%23frag%20%25/feedback')
  })

  test('bad bodies are 400; unknown sessions and requests are 404', async () => {
    const bad = await api('/api/spark/feedback', h.key, {
      requestId: reqA,
      sessionId: SESSION_A,
      rating: 9,
    })
    assert.equal(bad.status, 400)
    const wrongSession = await api('/api/spark/feedback', h.key, {
      requestId: reqA,
      sessionId: SESSION_B,
      rating: 3,
    })
    assert.equal(wrongSession.status, 404)
    const noRequest = await api('/api/spark/feedback/batch', h.key, { requestId: 'nope' })
    assert.equal(noRequest.status, 404)
  })

  test("a domain login reaches its own domain's sessions only", async () => {
    const before = spark.calls.length
    const other = await api('/api/spark/feedback', keyA, {
      requestId: reqB,
      sessionId: SESSION_B,
      rating: 3,
    })
    assert.equal(other.status, 404)
    const otherBatch = await api('/api/spark/feedback/batch', keyA, { requestId: reqB })
    assert.equal(otherBatch.status, 404)
    const cookie = await loginCookie(h.url, keyA)
    assert.equal((await form(cookie, reqB, { session: SESSION_B, rating: '3' })).status, 404)
    assert.equal(spark.calls.length, before, 'nothing reached Spark')
    const own = await api('/api/spark/feedback/batch', keyA, { requestId: reqA })
    assert.equal(own.status, 200)
  })

  test('the form sends feedback and the page then shows it', async () => {
    const cookie = await loginCookie(h.url, h.key)
    const res = await form(cookie, reqA, {
      session: SESSION_A,
      rating: '3',
      comments: 'ok <b>then</b>',
      section_id_0: 'plan',
      section_rating_0: '2',
      section_comments_0: '',
      section_id_1: 'steps',
      section_rating_1: '',
      section_comments_1: 'needs more',
      section_id_2: 'careful',
      section_rating_2: '',
      section_comments_2: '',
    })
    assert.equal(res.status, 303)
    const location = res.headers.get('location')!
    assert.equal(
      location,
      `/requests/${reqA}?spark_session=sess%2Fa%3Fx%3D1%23frag+%25&spark=sent#spark-toolu_spark_1`,
    )
    assert.deepEqual(spark.calls.at(-1)!.body, {
      session_id: SESSION_A,
      rating: 3,
      comments: 'ok <b>then</b>',
      sections: [
        { section_id: 'plan', rating: 2, comments: null },
        { section_id: 'steps', rating: null, comments: 'needs more' },
      ],
    })
    const html = await page(cookie, location)
    assert.match(html, /Feedback sent to Spark/)
    assert.match(html, /Feedback given: 3\/5/)
    assert.match(html, /ok &lt;b&gt;then&lt;\/b&gt;/)
    assert.match(html, /<li>Steps — needs more<\/li>/)
  })

  test('a form without a rating is not sent and says why', async () => {
    const before = spark.calls.length
    const cookie = await loginCookie(h.url, h.key)
    const res = await form(cookie, reqA, { session: SESSION_A, rating: '' })
    assert.equal(spark.calls.length, before)
    const html = await page(cookie, res.headers.get('location')!)
    assert.match(html, /Feedback not sent: choose a rating from 1 to 5/)
  })

  test('Spark failing: the page renders, the form says why', async () => {
    const cookie = await loginCookie(h.url, h.key)
    spark.failWith = 503
    try {
      const html = await page(cookie, `/requests/${reqA}`)
      assert.match(html, /Earlier feedback could not be loaded: Spark answered HTTP 503/)
      const res = await form(cookie, reqA, { session: SESSION_A, rating: '4' })
      const after = await page(cookie, res.headers.get('location')!)
      assert.match(after, /Feedback not sent: Spark refused it \(HTTP 503\)/)
      const api503 = await api('/api/spark/feedback', h.key, {
        requestId: reqA,
        sessionId: SESSION_A,
        rating: 4,
      })
      assert.equal(api503.status, 502)
    } finally {
      spark.failWith = undefined
    }
  })
})

describeEachDatabase('Spark down or not configured', ({ db }) => {
  let down: DashboardHarness
  let unset: DashboardHarness
  let id: string
  before(async () => {
    down = await startDashboard(db(), {
      SPARK_API_URL: await closedPort(),
      SPARK_API_KEY: SPARK_KEY,
    })
    unset = await startDashboard(db(), {})
    const record = sparkRecord('spark-down.test', 'sess-down', '# Down')
    await insertRequestRecords(db(), [record])
    id = record.requestId
  })
  after(async () => {
    await down?.close()
    await unset?.close()
  })

  test('Spark down: the page renders with the card, and the form says why it failed', async () => {
    const cookie = await loginCookie(down.url, down.key)
    const res = await fetch(`${down.url}/requests/${id}`, { headers: { cookie } })
    assert.equal(res.status, 200)
    const html = await res.text()
    assert.match(html, /data-testid="spark-card"/)
    assert.match(
      html,
      /Earlier feedback could not be loaded: Spark could not be reached \(ECONNREFUSED\)/,
    )
    const sent = await fetch(`${down.url}/requests/${id}/spark-feedback`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: down.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ session: 'sess-down', rating: '2' }),
    })
    assert.equal(sent.status, 303)
    const after = await fetch(`${down.url}${sent.headers.get('location')}`, { headers: { cookie } })
    assert.match(await after.text(), /Feedback not sent: Spark could not be reached/)
  })

  test('without SPARK_API_KEY the card shows and says feedback is off; the API answers 503', async () => {
    const cookie = await loginCookie(unset.url, unset.key)
    const html = await (await fetch(`${unset.url}/requests/${id}`, { headers: { cookie } })).text()
    assert.match(html, /data-testid="spark-card"/)
    assert.match(html, /Feedback is off: SPARK_API_KEY is not set/)
    assert.doesNotMatch(html, /data-testid="spark-form"/)
    const res = await fetch(`${unset.url}/api/spark/feedback`, {
      method: 'POST',
      headers: { 'x-dashboard-key': unset.key, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: id, sessionId: 'sess-down', rating: 4 }),
    })
    assert.equal(res.status, 503)
    assert.match(await res.text(), /SPARK_API_KEY is not set/)
  })
})

async function closedPort(): Promise<string> {
  const s = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => s.once('listening', r))
  const port = (s.address() as { port: number }).port
  await new Promise((r) => s.close(r))
  return `http://127.0.0.1:${port}`
}
