import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import {
  randomKey,
  startDashboard,
  writeCredentialFile,
  type DashboardHarness,
} from '../dashboard/test-support.ts'
import {
  analysisJson,
  anthropicMessage,
  ScriptedServer,
  storeConversation,
} from './test-support.ts'

const claude = new ScriptedServer()
before(async () => {
  claude.replies = [anthropicMessage(analysisJson('api summary'))]
})
after(() => claude.close())

describeEachDatabase('analysis API', ({ db }) => {
  let h: DashboardHarness
  let keyA: string
  let keyB: string
  let convA: string
  before(async () => {
    const claudeUrl = await claude.start()
    h = await startDashboard(db(), {
      ANTHROPIC_API_KEY: 'sk-ant-api03-analysisanalysisanalysis',
      AI_ANALYSIS_CLAUDE_BASE_URL: claudeUrl,
      AI_WORKER_POLL_INTERVAL_MS: '50',
      AI_ANALYSIS_RATE_LIMIT_MAX: '2',
    })
    keyA = randomKey('cnp_live_')
    keyB = randomKey('cnp_live_')
    await writeCredentialFile(h.proxy.credentialsDir, 'api-a.test', [keyA])
    await writeCredentialFile(h.proxy.credentialsDir, 'api-b.test', [keyB])
    convA = await storeConversation(db(), 'api-a.test')
  })
  after(() => h.close())

  const call = (path: string, key: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${h.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-dashboard-key': key, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })

  test('POST queues, the worker completes it, GET returns it; a second POST returns it', async () => {
    const created = await call('/api/analyses', keyA, {
      method: 'POST',
      body: { conversationId: convA, branchId: 'main' },
    })
    assert.equal(created.status, 202)
    const body = (await created.json()) as {
      analysis: { status: string }
      workerConfigured: boolean
    }
    assert.equal(body.workerConfigured, true)
    assert.ok(['pending', 'processing', 'completed'].includes(body.analysis.status))
    let status = ''
    let got:
      { analysis: { status: string; result: { summary: string }; model: string } } | undefined
    for (let i = 0; i < 100 && status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      const res = await call(`/api/analyses/${convA}/main`, keyA)
      got = (await res.json()) as typeof got
      status = got?.analysis.status ?? ''
    }
    assert.equal(status, 'completed')
    assert.equal(got?.analysis.result.summary, 'api summary')
    assert.equal(got?.analysis.model, 'claude-sonnet-4-6')
    const again = await call('/api/analyses', h.key, {
      method: 'POST',
      body: { conversationId: convA, branchId: 'main' },
    })
    assert.equal(again.status, 200)
  })

  test('another domain sees no such conversation; unknown branches are 404', async () => {
    const res = await call(`/api/analyses/${convA}/main`, keyB)
    assert.equal(res.status, 404)
    assert.deepEqual(await res.json(), {
      type: 'error',
      error: { type: 'not_found_error', message: `No conversation ${convA}` },
    })
    const post = await call('/api/analyses', keyB, {
      method: 'POST',
      body: { conversationId: convA, branchId: 'main' },
    })
    assert.equal(post.status, 404)
    const nope = await call(`/api/analyses/${convA}/nope`, keyA)
    assert.equal(nope.status, 404)
    const bad = await call('/api/analyses', keyA, { method: 'POST', body: { branchId: 'main' } })
    assert.equal(bad.status, 400)
  })

  test('regenerate with a custom prompt; the domain limit answers 429; audit rows', async () => {
    const res = await call(`/api/analyses/${convA}/main/regenerate`, keyA, {
      method: 'POST',
      body: { customPrompt: 'Only security' },
    })
    assert.equal(res.status, 202)
    const queued = (await res.json()) as { analysis: { customPrompt: string } }
    assert.equal(queued.analysis.customPrompt, 'Only security')
    // Two queued this window (creation + regeneration): the limit of 2 is reached.
    const refused = await call(`/api/analyses/${convA}/main/regenerate`, keyA, {
      method: 'POST',
      body: {},
    })
    assert.equal(refused.status, 429)
    assert.deepEqual(await refused.json(), {
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: 'Analysis limit reached for api-a.test: 2 per 60 minutes',
      },
    })
    const events = await db()
      .kysely.selectFrom('analysis_audit')
      .select(['event', 'outcome', 'actor'])
      .where('conversation_id', '=', convA)
      .orderBy('id')
      .execute()
    assert.deepEqual(events[0], { event: 'create', outcome: 'queued', actor: 'api-a.test' })
    assert.ok(events.some((e) => e.event === 'read' && e.outcome === 'found'))
    assert.ok(events.some((e) => e.event === 'create' && e.outcome === 'existing'))
    assert.ok(events.some((e) => e.event === 'regenerate' && e.outcome === 'rate_limited'))
    const asked = () =>
      claude.bodies.some((b) =>
        (b as { messages: { content: string }[] }).messages[0]!.content.includes('Only security'),
      )
    for (let i = 0; i < 100 && !asked(); i++) await new Promise((r) => setTimeout(r, 50))
    assert.ok(asked(), 'the regenerated analysis was asked with the custom prompt')
  })
})
