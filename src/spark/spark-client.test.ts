import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, before, test } from 'node:test'
import { createSparkClient, SparkError, type SparkFeedback } from './spark-client.ts'
import { SparkServer } from './test-spark-server.ts'

const KEY = 'spark-key-for-tests-0123456789'
const spark = new SparkServer(KEY)
let url = ''
before(async () => {
  url = await spark.start()
})
after(() => spark.close())

const FEEDBACK: SparkFeedback = {
  rating: 4,
  comments: 'Helpful',
  sections: [{ sectionId: 'steps', rating: 5, comments: 'clear' }, { sectionId: 'plan' }],
}

test('feedback goes to POST /feedback with the key, and comes back in a batch', async () => {
  const client = createSparkClient({ baseUrl: `${url}/`, apiKey: KEY, timeoutMs: 2_000 })
  await client.sendFeedback('sess-1', FEEDBACK)
  const sent = spark.calls.at(-1)!
  assert.equal(sent.method, 'POST')
  assert.equal(sent.path, '/feedback')
  assert.equal(sent.headers['x-api-key'], KEY)
  assert.deepEqual(sent.body, {
    session_id: 'sess-1',
    rating: 4,
    comments: 'Helpful',
    sections: [
      { section_id: 'steps', rating: 5, comments: 'clear' },
      { section_id: 'plan', rating: null, comments: null },
    ],
  })
  const found = await client.feedbackFor(['sess-1', 'sess-none'])
  assert.deepEqual([...found.keys()], ['sess-1'])
  assert.deepEqual(found.get('sess-1'), { ...FEEDBACK, submittedAt: '2026-12-06T04:00:00.000Z' })
})

test('many sessions are asked for 50 at a time', async () => {
  const client = createSparkClient({ baseUrl: url, apiKey: KEY, timeoutMs: 2_000 })
  const before = spark.calls.length
  const ids = Array.from({ length: 120 }, (_, i) => `many-${i}`)
  assert.equal((await client.feedbackFor(ids)).size, 0)
  const calls = spark.calls.slice(before)
  assert.deepEqual(
    calls.map((c) => (c.body as { session_ids: string[] }).session_ids.length),
    [50, 50, 20],
  )
})

test('a session id is one URL-encoded path segment', async () => {
  const client = createSparkClient({ baseUrl: url, apiKey: KEY, timeoutMs: 2_000 })
  const id = 'a/../b?c=1#d %'
  await client.sendFeedback(id, FEEDBACK)
  assert.equal((await client.sessionFeedback(id))?.rating, 4)
  assert.equal(spark.calls.at(-1)!.path, '/sessions/a%2F..%2Fb%3Fc%3D1%23d%20%25/feedback')
  assert.equal(await client.sessionFeedback('never-rated'), undefined)
})

test('failures say why: not configured, refused, unreachable, timeout', async () => {
  const unset = createSparkClient({ baseUrl: url, apiKey: undefined, timeoutMs: 2_000 })
  assert.equal(unset.configured, false)
  await assert.rejects(unset.sendFeedback('s', FEEDBACK), { reason: 'not_configured' })

  const wrongKey = createSparkClient({ baseUrl: url, apiKey: 'wrong', timeoutMs: 2_000 })
  await assert.rejects(wrongKey.sendFeedback('s', FEEDBACK), (e: SparkError) => {
    assert.equal(e.reason, 'refused')
    assert.equal(e.status, 401)
    assert.equal(e.message, 'Spark answered HTTP 401')
    return true
  })

  const down = createSparkClient({ baseUrl: await closedPort(), apiKey: KEY, timeoutMs: 2_000 })
  await assert.rejects(down.feedbackFor(['s']), {
    reason: 'unreachable',
    message: 'Spark could not be reached (ECONNREFUSED)',
  })

  const silent = createServer(() => {}).listen(0, '127.0.0.1')
  await new Promise((r) => silent.once('listening', r))
  const port = (silent.address() as { port: number }).port
  const slow = createSparkClient({
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: KEY,
    timeoutMs: 200,
  })
  await assert.rejects(slow.feedbackFor(['s']), {
    reason: 'timeout',
    message: 'Spark did not answer within 200 ms',
  })
  silent.close()
})

async function closedPort(): Promise<string> {
  const s = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => s.once('listening', r))
  const port = (s.address() as { port: number }).port
  await new Promise((r) => s.close(r))
  return `http://127.0.0.1:${port}`
}
