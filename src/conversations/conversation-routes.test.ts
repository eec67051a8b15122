import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import {
  agentCall,
  assistantMessage,
  ClaudeCodeSession,
  firstUserMessage,
  storeTraffic,
  testDomain,
  text,
  userMessage,
} from '../../test-support/conversation-traffic.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { linkPending } from './conversation-linker.ts'
import { conversationRoutes } from './conversation-routes.ts'
import { createConversationStore } from './conversation-store.ts'
import { fixtures } from './fixtures/index.ts'

describeEachDatabase('conversation API', ({ db }) => {
  const domain = testDomain()
  let ids: Map<string, string>
  const id = (label: string) => ids.get(label)!

  before(async () => {
    const s = new ClaudeCodeSession(domain, { sessionId: '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b' })
    const agent = new ClaudeCodeSession(domain, { agentId: 'agent-1', sessionId: s.sessionId })
    const other = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Plan the release.')
    const spawn = [agentCall('toolu_1', 'Collect the changelog.')]
    const a1 = assistantMessage(spawn)
    ids = await storeTraffic(db(), [
      {
        label: 'm1',
        domain,
        accountId: 'acct_1',
        body: s.body([u1]),
        answer: spawn,
        headers: s.headers(),
      },
      {
        label: 's1',
        domain,
        accountId: 'acct_1',
        body: agent.subagentBody([firstUserMessage('Collect the changelog.')]),
        answer: text('3 fixes'),
        headers: agent.headers(),
        model: 'claude-haiku-4-5',
      },
      {
        label: 'm2',
        domain,
        accountId: 'acct_1',
        body: s.body([u1, a1, userMessage('Ship it.')]),
        answer: text('Shipped.'),
        headers: s.headers(),
      },
      {
        label: 'b2',
        domain,
        accountId: 'acct_1',
        body: s.body([u1, a1, userMessage('Wait a day.')]),
        answer: text('Waiting.'),
        headers: s.headers(),
      },
      {
        label: 'k1',
        domain,
        accountId: 'acct_1',
        body: fixtures.compactedCurrent(),
        answer: text('Continuing.'),
        headers: s.headers(),
      },
      {
        label: 'o1',
        domain,
        accountId: 'acct_2',
        body: other.body([firstUserMessage('Hello')]),
        answer: text('Hi'),
        headers: other.headers(),
      },
    ])
    await linkPending(createConversationStore(db()))
  })

  const get = async (path: string) => {
    const res = await conversationRoutes({ db: db() }).request(path)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  test('lists conversations newest first, with totals and no bodies', async () => {
    const { status, body } = await get(`/api/conversations?domain=${domain}`)
    assert.equal(status, 200)
    assert.deepEqual(body, {
      conversations: [
        {
          id: id('o1'),
          domain,
          accountId: 'acct_2',
          firstAt: '2026-03-07T10:00:05.000Z',
          lastAt: '2026-03-07T10:00:05.000Z',
          messageCount: 2,
          requestCount: 1,
          branchCount: 1,
          subtaskCount: 0,
          totalTokens: 15,
          models: ['claude-opus-4-6'],
        },
        {
          id: id('m1'),
          domain,
          accountId: 'acct_1',
          firstAt: '2026-03-07T10:00:00.000Z',
          lastAt: '2026-03-07T10:00:04.000Z',
          messageCount: 4,
          requestCount: 5,
          branchCount: 3,
          subtaskCount: 1,
          totalTokens: 75,
          models: ['claude-opus-4-6', 'claude-haiku-4-5'],
        },
      ],
      nextCursor: null,
    })
  })

  test('pages with a cursor and filters by account', async () => {
    const first = await get(`/api/conversations?domain=${domain}&limit=1`)
    assert.deepEqual(
      (first.body.conversations as { id: string }[]).map((c) => c.id),
      [id('o1')],
    )
    const second = await get(
      `/api/conversations?domain=${domain}&limit=1&cursor=${String(first.body.nextCursor)}`,
    )
    assert.deepEqual(
      [(second.body.conversations as { id: string }[]).map((c) => c.id), second.body.nextCursor],
      [[id('m1')], null],
    )
    const byAccount = await get(`/api/conversations?domain=${domain}&accountId=acct_1`)
    assert.deepEqual(
      (byAccount.body.conversations as { id: string }[]).map((c) => c.id),
      [id('m1')],
    )
  })

  test('shows one conversation as branches: main, a branch, a sub-task and a compaction', async () => {
    const { status, body } = await get(`/api/conversations/${id('m1')}`)
    assert.equal(status, 200)
    const branches = (
      body.branches as {
        id: string
        kind: string
        fromRequestId: string | null
        toolUseId?: string
        requests: {
          id: string
          linkKind: string
          parentRequestId: string | null
          isSubtask: boolean
        }[]
      }[]
    ).map((b) => ({
      ...b,
      requests: b.requests.map((r) => [r.id, r.linkKind, r.parentRequestId, r.isSubtask]),
    }))
    assert.deepEqual(branches, [
      {
        id: 'main',
        kind: 'main',
        fromRequestId: null,
        requests: [
          [id('m1'), 'root', null, false],
          [id('m2'), 'parent', id('m1'), false],
        ],
      },
      {
        id: 'subtask_1',
        kind: 'subtask',
        fromRequestId: id('m1'),
        toolUseId: 'toolu_1',
        requests: [[id('s1'), 'subtask', id('m1'), true]],
      },
      {
        id: 'branch_1',
        kind: 'branch',
        fromRequestId: id('m1'),
        requests: [[id('b2'), 'parent', id('m1'), false]],
      },
      {
        id: 'compact_1',
        kind: 'compaction',
        fromRequestId: id('b2'),
        requests: [[id('k1'), 'compaction', id('b2'), false]],
      },
    ])
    const node = (body.branches as { requests: Record<string, unknown>[] }[])[0]!.requests[0]!
    assert.deepEqual(Object.keys(node).sort(), [
      'durationMs',
      'id',
      'inputTokens',
      'isSubtask',
      'linkKind',
      'messageCount',
      'model',
      'outputTokens',
      'parentRequestId',
      'parentTaskRequestId',
      'seq',
      'statusCode',
      'timestamp',
      'totalTokens',
    ])
  })

  test('answers in Anthropic’s error shape: 404, 400, 503, and the guard when given', async () => {
    assert.deepEqual(await get('/api/conversations/7d1f6c1e-0000-4000-8000-000000000000'), {
      status: 404,
      body: {
        type: 'error',
        error: {
          type: 'not_found_error',
          message: 'No conversation 7d1f6c1e-0000-4000-8000-000000000000',
        },
      },
    })
    assert.equal((await get('/api/conversations/not-a-uuid')).status, 404)
    assert.deepEqual(await get('/api/conversations?limit=0'), {
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'Invalid query parameters: limit: Too small: expected number to be >=1',
        },
      },
    })
    assert.equal((await get('/api/conversations?cursor=abc')).status, 400)
    const disabled = await conversationRoutes({ db: null }).request('/api/conversations')
    assert.equal(disabled.status, 503)
    const guarded = conversationRoutes({
      db: db(),
      auth: async (c) => c.json({ denied: true }, 401),
    })
    assert.equal((await guarded.request('/api/conversations')).status, 401)
    assert.equal((await guarded.request(`/api/conversations/${id('m1')}`)).status, 401)
  })
})
