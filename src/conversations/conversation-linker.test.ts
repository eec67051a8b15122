import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import {
  agentCall,
  assistantMessage,
  ClaudeCodeSession,
  firstUserMessage,
  linkView,
  storeTraffic,
  testDomain,
  text,
  toolResultMessage,
  userMessage,
  type StoredTraffic,
} from '../../test-support/conversation-traffic.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import type { ContentBlock, MessageParam } from '../anthropic-types.ts'
import { linkPending } from './conversation-linker.ts'
import { LINK_FACTS_VERSION } from './link-facts.ts'
import { createConversationStore } from './conversation-store.ts'
import { fixtures } from './fixtures/index.ts'
import { rebuildConversations } from './rebuild-conversations.ts'

const PROMPT = fixtures
  .mainTurn1Response()
  .content.flatMap((b) =>
    b.type === 'tool_use' ? [(b.input as { prompt: string }).prompt] : [],
  )[0]!

describeEachDatabase('conversation linking', ({ db }) => {
  const store = () => createConversationStore(db())
  const link = async (traffic: StoredTraffic[]) => {
    const ids = await storeTraffic(db(), traffic)
    await linkPending(store())
    return linkView(db(), ids)
  }

  test('a Claude Code session with a sub-agent: subtask_1 for the agent, main for the rest', async () => {
    const domain = testDomain()
    const main = new ClaudeCodeSession(domain)
    const agent = new ClaudeCodeSession(domain, { agentId: 'a3f9c21', sessionId: main.sessionId })
    const u1 = firstUserMessage('Add a discount field to the cart total and cover it with a test.')
    const spawn = fixtures.mainTurn1Response().content
    const agentFirst = firstUserMessage(PROMPT)
    const read: ContentBlock[] = [
      { type: 'tool_use', id: 'toolu_read', name: 'Read', input: { file_path: 'src/cart.ts' } },
    ]
    const m2Messages = [
      u1,
      assistantMessage(spawn),
      toolResultMessage('toolu_01Hq7Z3fK9sV2wX5yB8nM4pR', 'cartTotal in src/cart.ts'),
    ]
    const view = await link([
      { label: 'm1', domain, body: main.body([u1]), answer: spawn, headers: main.headers() },
      {
        label: 's1',
        domain,
        body: agent.subagentBody([agentFirst]),
        answer: read,
        headers: agent.headers(),
      },
      {
        label: 's2',
        domain,
        body: agent.subagentBody([
          agentFirst,
          assistantMessage(read),
          toolResultMessage('toolu_read', 'export function cartTotal'),
        ]),
        answer: text('cartTotal(items) in src/cart.ts'),
        headers: agent.headers(),
      },
      {
        label: 'm2',
        domain,
        body: main.body(m2Messages),
        answer: text('Adding the field now.'),
        headers: main.headers(),
      },
      {
        label: 'm3',
        domain,
        body: main.body([
          ...m2Messages,
          assistantMessage(text('Adding the field now.')),
          userMessage('Thanks, run the tests too.'),
        ]),
        answer: text('All green.'),
        headers: main.headers(),
      },
    ])
    assert.deepEqual(view, {
      m1: ['m1', 'main', 'root', null, false, null],
      s1: ['m1', 'subtask_1', 'subtask', 'm1', true, 'm1'],
      s2: ['m1', 'subtask_1', 'parent', 's1', true, 'm1'],
      m2: ['m1', 'main', 'parent', 'm1', false, null],
      m3: ['m1', 'main', 'parent', 'm2', false, null],
    })
  })

  test('parallel sub-agents are numbered in spawn order, whichever starts first', async () => {
    const domain = testDomain()
    const main = new ClaudeCodeSession(domain)
    const agentA = new ClaudeCodeSession(domain, { agentId: 'agent-a', sessionId: main.sessionId })
    const agentB = new ClaudeCodeSession(domain, { agentId: 'agent-b', sessionId: main.sessionId })
    const spawns = [
      agentCall('toolu_a', 'Search the API for cart code.'),
      agentCall('toolu_b', 'Search the UI for cart code.', 'Task'),
    ]
    const u1 = firstUserMessage('Find all cart code.')
    const view = await link([
      { label: 'm1', domain, body: main.body([u1]), answer: spawns, headers: main.headers() },
      {
        label: 'b1',
        domain,
        body: agentB.subagentBody([firstUserMessage('Search the UI for cart code.')]),
        answer: text('ui'),
        headers: agentB.headers(),
      },
      {
        label: 'a1',
        domain,
        body: agentA.subagentBody([firstUserMessage('Search the API for cart code.')]),
        answer: text('api'),
        headers: agentA.headers(),
      },
      {
        label: 'm2',
        domain,
        body: main.body([
          u1,
          assistantMessage(spawns),
          toolResultMessage('toolu_a', 'api'),
          toolResultMessage('toolu_b', 'ui'),
        ]),
        answer: text('Found both.'),
        headers: main.headers(),
      },
    ])
    assert.deepEqual(view, {
      m1: ['m1', 'main', 'root', null, false, null],
      b1: ['m1', 'subtask_2', 'subtask', 'm1', true, 'm1'],
      a1: ['m1', 'subtask_1', 'subtask', 'm1', true, 'm1'],
      m2: ['m1', 'main', 'parent', 'm1', false, null],
    })
  })

  test('sub-agents with the same prompt keep apart by agent id, retries included', async () => {
    const domain = testDomain()
    const main = new ClaudeCodeSession(domain)
    const x = new ClaudeCodeSession(domain, { agentId: 'agent-x', sessionId: main.sessionId })
    const y = new ClaudeCodeSession(domain, { agentId: 'agent-y', sessionId: main.sessionId })
    const prompt = 'Review src/cart.ts for bugs.'
    const first = firstUserMessage(prompt)
    const followUp = (answer: string) => [
      first,
      assistantMessage(text(answer)),
      userMessage('Go on.'),
    ]
    const view = await link([
      {
        label: 'm1',
        domain,
        body: main.body([firstUserMessage('Review twice.')]),
        answer: [agentCall('t1', prompt), agentCall('t2', prompt)],
        headers: main.headers(),
      },
      {
        label: 'y1',
        domain,
        body: y.subagentBody([first]),
        answer: text('y looks'),
        headers: y.headers(),
      },
      {
        label: 'x1',
        domain,
        body: x.subagentBody([first]),
        answer: text('x looks'),
        headers: x.headers(),
      },
      {
        label: 'x1-retry',
        domain,
        body: x.subagentBody([first]),
        answer: text('x looks'),
        headers: x.headers(),
      },
      {
        label: 'x2',
        domain,
        body: x.subagentBody(followUp('x looks')),
        answer: text('x done'),
        headers: x.headers(),
      },
      {
        label: 'y2',
        domain,
        body: y.subagentBody(followUp('y looks')),
        answer: text('y done'),
        headers: y.headers(),
      },
    ])
    assert.deepEqual(view, {
      m1: ['m1', 'main', 'root', null, false, null],
      y1: ['m1', 'subtask_1', 'subtask', 'm1', true, 'm1'],
      x1: ['m1', 'subtask_2', 'subtask', 'm1', true, 'm1'],
      'x1-retry': ['m1', 'subtask_2', 'subtask', 'm1', true, 'm1'],
      x2: ['m1', 'subtask_2', 'parent', 'x1-retry', true, 'm1'],
      y2: ['m1', 'subtask_1', 'parent', 'y1', true, 'm1'],
    })
  })

  test('a new child of a parent that has one starts a branch; a byte-identical retry does not', async () => {
    const domain = testDomain()
    const s = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Write a haiku about carts.')
    const a1 = assistantMessage(text('Wheels on the cold floor'))
    const turn2 = (edit: string) => [u1, a1, userMessage(edit)]
    const view = await link([
      {
        label: 'p1',
        domain,
        body: s.body([u1]),
        answer: text('Wheels on the cold floor'),
        headers: s.headers(),
      },
      {
        label: 'p2',
        domain,
        body: s.body(turn2('Another one.')),
        answer: text('Rolling'),
        headers: s.headers(),
      },
      // Claude Code resends after a 529: new billing value, same conversation.
      {
        label: 'p2-retry',
        domain,
        body: s.body(turn2('Another one.')),
        answer: text('Rolling'),
        headers: s.headers(),
      },
      {
        label: 'p3',
        domain,
        body: s.body([
          ...turn2('Another one.'),
          assistantMessage(text('Rolling')),
          userMessage('Shorter.'),
        ]),
        answer: text('Roll'),
        headers: s.headers(),
      },
      {
        label: 'q2',
        domain,
        body: s.body(turn2('One about trains instead.')),
        answer: text('Steel'),
        headers: s.headers(),
      },
      {
        label: 'q2-retry',
        domain,
        body: s.body(turn2('One about trains instead.')),
        answer: text('Steel'),
        headers: s.headers(),
      },
      {
        label: 'r2',
        domain,
        body: s.body(turn2('One about boats.')),
        answer: text('Sail'),
        headers: s.headers(),
      },
      {
        label: 'q3',
        domain,
        body: s.body([
          ...turn2('One about trains instead.'),
          assistantMessage(text('Steel')),
          userMessage('Longer.'),
        ]),
        answer: text('Steel rails'),
        headers: s.headers(),
      },
    ])
    assert.deepEqual(view, {
      p1: ['p1', 'main', 'root', null, false, null],
      p2: ['p1', 'main', 'parent', 'p1', false, null],
      'p2-retry': ['p1', 'main', 'parent', 'p1', false, null],
      p3: ['p1', 'main', 'parent', 'p2-retry', false, null],
      q2: ['p1', 'branch_1', 'parent', 'p1', false, null],
      'q2-retry': ['p1', 'branch_1', 'parent', 'p1', false, null],
      r2: ['p1', 'branch_2', 'parent', 'p1', false, null],
      q3: ['p1', 'branch_1', 'parent', 'q2-retry', false, null],
    })
  })

  test('the parent with the same system prompt wins over a newer one with another', async () => {
    const domain = testDomain()
    const body = (system: string, messages: MessageParam[]) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system,
      messages,
    })
    const hi: MessageParam = { role: 'user', content: 'hi' }
    const hello = assistantMessage(text('Hello! How can I help?'))
    const view = await link([
      {
        label: 'a1',
        domain,
        body: body('You help with project A.', [hi]),
        answer: text('Hello! How can I help?'),
      },
      {
        label: 'b1',
        domain,
        body: body('You help with project B.', [hi]),
        answer: text('Hello! How can I help?'),
      },
      {
        label: 'a2',
        domain,
        body: body('You help with project A.', [
          hi,
          hello,
          { role: 'user', content: 'List files.' },
        ]),
        answer: text('a, b'),
      },
    ])
    assert.deepEqual(view, {
      a1: ['a1', 'main', 'root', null, false, null],
      b1: ['b1', 'main', 'root', null, false, null],
      a2: ['a1', 'main', 'parent', 'a1', false, null],
    })
  })

  test('a lost parent falls back to the grandparent; a lost sub-agent turn to its agent id', async () => {
    const domain = testDomain()
    const main = new ClaudeCodeSession(domain)
    const agent = new ClaudeCodeSession(domain, {
      agentId: 'agent-lost',
      sessionId: main.sessionId,
    })
    const u1 = firstUserMessage('Plan the refactor.')
    const turns = (n: number) =>
      Array.from({ length: n }, (_, i) => [
        assistantMessage(text(`step ${i}`)),
        userMessage(`next ${i}`),
      ]).flat()
    const prompt = 'List every caller of cartTotal.'
    const agentFirst = firstUserMessage(prompt)
    const view = await link([
      {
        label: 'g',
        domain,
        body: main.body([u1]),
        answer: [agentCall('toolu_x', prompt)],
        headers: main.headers(),
      },
      // main.body([u1, ...turns(1)]) was never stored.
      {
        label: 'c',
        domain,
        body: main.body([u1, ...turns(2)]),
        answer: text('ok'),
        headers: main.headers(),
      },
      {
        label: 's1',
        domain,
        body: agent.subagentBody([agentFirst]),
        answer: text('step 0'),
        headers: agent.headers(),
      },
      // The sub-agent's second and third requests were never stored either.
      {
        label: 's4',
        domain,
        body: agent.subagentBody([agentFirst, ...turns(3)]),
        answer: text('done'),
        headers: agent.headers(),
      },
    ])
    assert.deepEqual(view, {
      g: ['g', 'main', 'root', null, false, null],
      c: ['g', 'main', 'grandparent', 'g', false, null],
      s1: ['g', 'subtask_1', 'subtask', 'g', true, 'g'],
      s4: ['g', 'subtask_1', 'agent', 's1', true, 'g'],
    })
  })

  test('a compaction continues the summarised conversation on compact_N, kept by follow-ups', async () => {
    const domain = testDomain()
    // The session the fixture's transcript path names.
    const s = new ClaudeCodeSession(domain, { sessionId: '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b' })
    const u1 = firstUserMessage('Add a discount field to the cart total and cover it with a test.')
    const a1 = assistantMessage(text('Done: cartTotal(items, discount).'))
    const summarise = userMessage(
      'Your task is to create a detailed summary of the conversation so far.',
    )
    const continuation = fixtures.compactedCurrent()
    const continued = (...more: MessageParam[]) => ({
      ...fixtures.compactedCurrent(),
      messages: [...continuation.messages, ...more],
    })
    const a2 = assistantMessage(text('Continuing.'))
    const docs = userMessage('Now the docs.')
    const legacy = {
      ...fixtures.compactedCurrent(),
      messages: [
        {
          role: 'user',
          content:
            'This session is being continued from a previous conversation that ran out of context. The conversation is summarized below:\nThe cart has a discount field now.',
        },
      ],
    }
    const view = await link([
      {
        label: 'm1',
        domain,
        body: s.body([u1]),
        answer: text('Done: cartTotal(items, discount).'),
        headers: s.headers(),
      },
      {
        label: 'compact',
        domain,
        body: s.body([u1, a1, summarise]),
        answer: text('<summary>1. Primary Request…</summary>'),
        headers: s.headers(),
      },
      // No session header: the transcript path in the summary names the session.
      { label: 'k1', domain, body: continuation, answer: text('Continuing.') },
      { label: 'k1-retry', domain, body: fixtures.compactedCurrent(), answer: text('Continuing.') },
      {
        label: 'k2',
        domain,
        body: continued(a2, docs),
        answer: text('Docs done.'),
        headers: s.headers(),
      },
      {
        label: 'compact2',
        domain,
        body: continued(a2, docs, assistantMessage(text('Docs done.')), summarise),
        answer: text('<summary>2.</summary>'),
        headers: s.headers(),
      },
      // An older Claude Code: legacy wording, no transcript path, the session header only.
      { label: 'k3', domain, body: legacy, answer: text('ok'), headers: s.headers() },
    ])
    assert.deepEqual(view, {
      m1: ['m1', 'main', 'root', null, false, null],
      compact: ['m1', 'main', 'parent', 'm1', false, null],
      k1: ['m1', 'compact_1', 'compaction', 'compact', false, null],
      'k1-retry': ['m1', 'compact_1', 'compaction', 'compact', false, null],
      k2: ['m1', 'compact_1', 'parent', 'k1-retry', false, null],
      compact2: ['m1', 'compact_1', 'parent', 'k2', false, null],
      k3: ['m1', 'compact_2', 'compaction', 'compact2', false, null],
    })
  })

  test('a task notification (a user turn of reminders only) keeps the turns around it apart', async () => {
    const domain = testDomain()
    const s = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Run the test suite in the background.')
    const a1 = assistantMessage(text('Started; I will report when it finishes.'))
    const notice: MessageParam = {
      role: 'user',
      content: [
        {
          type: 'text',
          text: '<system-reminder>\n<task-notification>\n<task-id>b1</task-id>\n<status>completed</status>\n</task-notification>\n</system-reminder>',
        },
      ],
    }
    const a2 = assistantMessage(text('All 212 tests passed.'))
    const view = await link([
      {
        label: 'm1',
        domain,
        body: s.body([u1]),
        answer: a1.content as ContentBlock[],
        headers: s.headers(),
      },
      {
        label: 'm2',
        domain,
        body: s.body([u1, a1, notice]),
        answer: a2.content as ContentBlock[],
        headers: s.headers(),
      },
      {
        label: 'm3',
        domain,
        body: s.body([u1, a1, notice, a2, userMessage('Thanks. Now lint.')]),
        answer: text('Lint is clean.'),
        headers: s.headers(),
      },
    ])
    assert.deepEqual(view, {
      m1: ['m1', 'main', 'root', null, false, null],
      m2: ['m1', 'main', 'parent', 'm1', false, null],
      m3: ['m1', 'main', 'parent', 'm2', false, null],
    })
  })

  test('two sessions saying the same things stay apart by session id, sub-agents too', async () => {
    const domain = testDomain()
    const one = new ClaudeCodeSession(domain)
    const two = new ClaudeCodeSession(domain)
    const agentOne = new ClaudeCodeSession(domain, { agentId: 'agent-1', sessionId: one.sessionId })
    const u1 = firstUserMessage('Run the tests.')
    const spawn = [agentCall('toolu_t', 'Run pnpm test and report failures.')]
    const next = [u1, assistantMessage(spawn), toolResultMessage('toolu_t', 'all pass')]
    const view = await link([
      { label: 'one1', domain, body: one.body([u1]), answer: spawn, headers: one.headers() },
      { label: 'two1', domain, body: two.body([u1]), answer: spawn, headers: two.headers() },
      {
        label: 'agent1',
        domain,
        body: agentOne.subagentBody([firstUserMessage('Run pnpm test and report failures.')]),
        answer: text('all pass'),
        headers: agentOne.headers(),
      },
      {
        label: 'one2',
        domain,
        body: one.body(next),
        answer: text('Green.'),
        headers: one.headers(),
      },
      {
        label: 'two2',
        domain,
        body: two.body(next),
        answer: text('Green.'),
        headers: two.headers(),
      },
    ])
    assert.deepEqual(view, {
      one1: ['one1', 'main', 'root', null, false, null],
      two1: ['two1', 'main', 'root', null, false, null],
      agent1: ['one1', 'subtask_1', 'subtask', 'one1', true, 'one1'],
      one2: ['one1', 'main', 'parent', 'one1', false, null],
      two2: ['two1', 'main', 'parent', 'two1', false, null],
    })
  })

  test('a first request sent again joins its conversation only with the same session', async () => {
    const domain = testDomain()
    const s = new ClaudeCodeSession(domain)
    const other = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('What does this repo do?')
    const view = await link([
      { label: 'r1', domain, body: s.body([u1]), headers: s.headers() },
      {
        label: 'r1-retry',
        domain,
        body: s.body([u1]),
        answer: text('A shop API.'),
        headers: s.headers(),
      },
      {
        label: 'o1',
        domain,
        body: other.body([u1]),
        answer: text('A shop API.'),
        headers: other.headers(),
      },
      {
        label: 'plain1',
        domain,
        body: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      },
      {
        label: 'plain2',
        domain,
        body: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      },
    ])
    assert.deepEqual(view, {
      r1: ['r1', 'main', 'root', null, false, null],
      'r1-retry': ['r1', 'main', 'retry', null, false, null],
      o1: ['o1', 'main', 'root', null, false, null],
      plain1: ['plain1', 'main', 'root', null, false, null],
      plain2: ['plain2', 'main', 'root', null, false, null],
    })
  })

  test('without session evidence, a first request sent again within five minutes is a retry', async () => {
    const domain = testDomain()
    const s = new ClaudeCodeSession(domain)
    const bare = (messages: MessageParam[]) => {
      const body = s.body(messages)
      delete body.metadata
      return body
    }
    const u1 = firstUserMessage('What does this repo do?')
    const view = await link([
      { label: 'r1', domain, body: bare([u1]), timestamp: '2026-03-07T10:00:00Z' },
      { label: 'r1-retry', domain, body: bare([u1]), timestamp: '2026-03-07T10:00:04Z' },
      { label: 'later', domain, body: bare([u1]), timestamp: '2026-03-07T10:05:05Z' },
    ])
    assert.deepEqual(view, {
      r1: ['r1', 'main', 'root', null, false, null],
      'r1-retry': ['r1', 'main', 'retry', null, false, null],
      later: ['later', 'main', 'root', null, false, null],
    })
  })

  test('a sub-agent whose spawn was never seen is its own conversation, still a sub-task', async () => {
    const domain = testDomain()
    const agent = new ClaudeCodeSession(domain, { agentId: 'agent-orphan' })
    const view = await link([
      {
        label: 'o1',
        domain,
        body: agent.subagentBody([firstUserMessage('Summarise README.md')]),
        answer: text('ok'),
        headers: agent.headers(),
      },
    ])
    assert.deepEqual(view, { o1: ['o1', 'main', 'root', null, true, null] })
  })

  test('count_tokens, quota probes and side calls stay out of conversations but are passed', async () => {
    const domain = testDomain()
    const s = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Rename cartTotal.')
    const view = await link([
      { label: 'm1', domain, body: s.body([u1]), answer: text('Renamed.'), headers: s.headers() },
      {
        label: 'count',
        domain,
        path: '/v1/messages/count_tokens',
        body: s.body([u1, assistantMessage(text('Renamed.')), userMessage('x')]),
        headers: s.headers(),
      },
      { label: 'quota', domain, body: fixtures.sideCall('quotaProbe'), headers: s.headers() },
      {
        label: 'title',
        domain,
        body: fixtures.sideCall('sessionTitle'),
        answer: text('{"title":"Rename"}'),
        headers: s.headers(),
      },
      { label: 'models', domain, method: 'GET', path: '/v1/models', body: null },
      {
        label: 'm2',
        domain,
        body: s.body([u1, assistantMessage(text('Renamed.')), userMessage('x')]),
        answer: text('ok'),
        headers: s.headers(),
      },
    ])
    assert.deepEqual(view, {
      m1: ['m1', 'main', 'root', null, false, null],
      count: [null, null, null, null, false, null],
      quota: [null, null, null, null, false, null],
      title: [null, null, null, null, false, null],
      models: [null, null, null, null, false, null],
      m2: ['m1', 'main', 'parent', 'm1', false, null],
    })
    const state = await sql<{ linked: number; last: number }>`
      select (select linked_through from conversation_link_state) as linked, max(seq) as last from api_requests`.execute(
      db().kysely,
    )
    assert.equal(state.rows[0]!.linked, state.rows[0]!.last)
  })

  test('hashes and facts are stored; the conversation row keeps the list totals', async () => {
    const domain = testDomain()
    const s = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Add a discount field to the cart total and cover it with a test.')
    const ids = await storeTraffic(db(), [
      {
        label: 'm1',
        domain,
        body: fixtures.mainTurn1(),
        answer: fixtures.mainTurn1Response().content,
        headers: s.headers(),
      },
      {
        label: 'm2',
        domain,
        body: fixtures.mainTurn2(),
        answer: text('ok'),
        headers: s.headers(),
        model: 'claude-sonnet-4-5',
      },
      { label: 'm3', domain, body: s.body([u1]), answer: text('again'), headers: s.headers() },
    ])
    await linkPending(store())
    const rows = await db()
      .kysely.selectFrom('api_requests')
      .select([
        'current_message_hash',
        'parent_message_hash',
        'link_facts_version',
        'subagent_prompt_hash',
      ])
      .where('request_id', 'in', [ids.get('m1')!, ids.get('m2')!])
      .orderBy('seq')
      .execute()
    assert.equal(rows[1]!.parent_message_hash, rows[0]!.current_message_hash)
    assert.equal(rows[0]!.link_facts_version, LINK_FACTS_VERSION)
    assert.match(rows[0]!.subagent_prompt_hash ?? '', /^[0-9a-f]{64}$/)
    assert.equal(rows[1]!.subagent_prompt_hash, null)
    const conversation = await db()
      .kysely.selectFrom('conversations')
      .selectAll()
      .where('conversation_id', '=', ids.get('m1')!)
      .executeTakeFirstOrThrow()
    assert.deepEqual(
      {
        ...conversation,
        started_at: new Date(conversation.started_at).toISOString(),
        last_at: new Date(conversation.last_at).toISOString(),
      },
      {
        conversation_id: ids.get('m1'),
        domain,
        account_id: null,
        started_at: '2026-03-07T10:00:00.000Z',
        last_at: '2026-03-07T10:00:02.000Z',
        request_count: 3,
        message_count: 4,
        total_tokens: 45,
        models: ['claude-opus-4-6', 'claude-sonnet-4-5'],
        branch_count: 0,
        compact_count: 0,
        spawn_count: 1,
        subtask_count: 0,
      },
    )
  })

  test('batch size never changes the result: a rebuild one request at a time finds nothing to change', async () => {
    const report = await rebuildConversations(store(), { dryRun: true, batchSize: 1 })
    assert.equal(report.committed, false)
    assert.deepEqual(
      {
        changedRequests: report.changedRequests,
        requestSample: report.requestSample,
        changedConversations: report.changedConversations,
      },
      { changedRequests: 0, requestSample: [], changedConversations: 0 },
    )
  })
})
