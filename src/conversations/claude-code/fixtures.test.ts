import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import type { ContentBlock, MessageParam } from '../../anthropic-types.ts'
import type { Database } from '../../db/database.ts'
import { fetchAsHost } from '../../../test-support/host-fetch.ts'
import { sseForMessage, type MockMessage } from '../../../test-support/mock-anthropic.ts'
import {
  startProxy,
  testKey,
  waitForRow,
  type ProxyHarness,
} from '../../../test-support/proxy-harness.ts'
import { describeEachDatabase } from '../../../test-support/test-database.ts'
import { classifyRequest } from '../classify-request.ts'
import { detectCompaction } from '../compaction.ts'
import { createConversationStore } from '../conversation-store.ts'
import { computeMessageHashes } from '../message-hash.ts'
import { rebuildConversations } from '../rebuild-conversations.ts'
import { extractSessionEvidence } from '../session-evidence.ts'
import { extractSpawnedAgents, subagentPromptOf } from '../subagents.ts'
import { expectedGrouping, type ExpectedRequest } from './expected-grouping.ts'
import { linkEverything } from './run-scenario.ts'
import {
  fixturesDir,
  fixtureWithoutSession,
  loadFixture,
  type ClaudeCodeFixture,
  type FixtureRequest,
} from './fixture.ts'

const names = Object.keys(expectedGrouping)

test('every recorded fixture has an expected grouping, and the other way round', () => {
  const recorded = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort()
  assert.deepEqual(recorded, names.toSorted())
})

for (const name of names) {
  const fixture = loadFixture(name)
  const expected = expectedGrouping[name]!

  describe(`Claude Code fixture ${name}: the pure rules on real traffic`, () => {
    test('the fixture holds exactly the expected requests', () => {
      assert.match(fixture.claudeCodeVersion, /^2\.1\.\d+$/)
      assert.deepEqual(
        fixture.requests.map((r) => r.label).toSorted(),
        Object.keys(expected).toSorted(),
      )
    })

    test('request types and session evidence', () => {
      for (const request of fixture.requests) {
        const want = expectedOf(expected, request)
        assert.equal(classifyRequest(request), want.type, request.label)
        const evidence = extractSessionEvidence(request.requestHeaders, request.body)
        assert.equal(evidence.sessionId, fixture.runs[want.session]?.sessionId, request.label)
        const agent =
          want.agent === undefined ? undefined : `a${String(want.agent).padStart(16, '0')}`
        if (want.agent !== undefined || !request.label.startsWith('subagent')) {
          assert.equal(evidence.agentId, agent, request.label)
        }
      }
    })

    test('sub-agent requests carry one agent id per sub-agent', () => {
      const byPrompt = new Map<string, Set<string | undefined>>()
      for (const request of fixture.requests.filter((r) => r.label.startsWith('subagent'))) {
        const prompt = request.label.replace(/ #\d+$/, '')
        const ids = byPrompt.get(prompt) ?? new Set()
        ids.add(extractSessionEvidence(request.requestHeaders, request.body).agentId)
        byPrompt.set(prompt, ids)
      }
      const all = [...byPrompt.values()].flatMap((ids) => [...ids])
      for (const ids of byPrompt.values()) assert.equal(ids.size, 1)
      assert.ok(all.every((id) => id !== undefined))
      assert.equal(new Set(all).size, byPrompt.size, 'sub-agents have different ids')
    })

    test('each expected link is what the hashes, prompts and summaries say', () => {
      for (const request of fixture.requests) {
        const want = expectedOf(expected, request)
        const hashes = computeMessageHashes(messagesOf(request))
        if (want.link === 'root') {
          const earlier = fixture.requests.slice(0, fixture.requests.indexOf(request))
          const currents = earlier.map((r) => computeMessageHashes(messagesOf(r)).current)
          assert.ok(!currents.includes(hashes.parent ?? ''), `${request.label} has no parent`)
          assert.ok(
            !currents.includes(hashes.grandparent ?? ''),
            `${request.label} has no grandparent`,
          )
          assert.equal(detectCompaction(messagesOf(request)), null)
        }
        if (want.link === 'parent') {
          const parent = byLabel(fixture, want.parent ?? '')
          assert.equal(
            hashes.parent,
            computeMessageHashes(messagesOf(parent)).current,
            request.label,
          )
        }
        if (want.link === 'subtask') {
          const spawner = byLabel(fixture, want.subtaskOf ?? '')
          const spawned = extractSpawnedAgents(responseContent(spawner)).map((s) => s.prompt)
          const n = Number(want.branch?.replace('subtask_', ''))
          assert.equal(subagentPromptOf(messagesOf(request)), spawned[n - 1], request.label)
        }
        if (want.link === 'compaction') {
          assert.equal(detectCompaction(messagesOf(request))?.format, 'current', request.label)
        }
      }
    })
  })
}

describeEachDatabase('Claude Code fixtures replayed through the proxy', ({ db }) => {
  let proxy: ProxyHarness
  before(async () => {
    proxy = await startProxy(db())
  })
  after(() => proxy.close())

  for (const name of names) {
    const fixture = loadFixture(name)
    const expected = expectedGrouping[name]!

    describe(name, () => {
      let rows: Map<string, StoredRow>
      let bare: Map<string, StoredRow>
      before(async () => {
        const ids = await replay(proxy, db(), fixture, domainOf(name))
        const stripped = fixtureWithoutSession(fixture)
        const bareIds = await replay(proxy, db(), stripped, domainOf(`${name}-bare`))
        await linkEverything(db())
        rows = await readRows(db(), ids)
        bare = await readRows(db(), bareIds)
      })

      test('every request is stored with its session and agent', () => {
        assert.equal(rows.size, fixture.requests.length)
        for (const request of fixture.requests) {
          const row = rows.get(request.label)!
          const want = expectedOf(expected, request)
          assert.equal(row.session_id, fixture.runs[want.session]?.sessionId, request.label)
          if (want.agent !== undefined) {
            assert.equal(row.agent_id, `a${String(want.agent).padStart(16, '0')}`, request.label)
          }
          assert.deepEqual(row.body, request.body)
        }
      })

      test('the stored request types', () => {
        for (const request of fixture.requests) {
          assert.equal(
            rows.get(request.label)!.request_type,
            expectedOf(expected, request).type,
            request.label,
          )
        }
      })

      test('conversations, branches and sub-task links', () => {
        assertGrouping(fixture, expected, rows)
      })

      test('the same links when no request names its session', () => {
        for (const row of bare.values()) assert.equal(row.session_id, null)
        assertGrouping(fixture, expected, bare)
      })
    })
  }

  test('a rebuild of the replayed history changes nothing', async () => {
    const report = await rebuildConversations(createConversationStore(db()))
    assert.equal(report.changedRequests, 0, JSON.stringify(report.requestSample, null, 1))
    assert.equal(report.changedConversations, 0, JSON.stringify(report.conversationSample, null, 1))
  })
})

async function readRows(db: Database, ids: Map<string, string>): Promise<Map<string, StoredRow>> {
  const rows = new Map<string, StoredRow>()
  for (const [label, id] of ids) rows.set(label, (await waitForRow(db, id)) as unknown as StoredRow)
  return rows
}

interface StoredRow {
  request_id: string
  request_type: string | null
  session_id: string | null
  agent_id: string | null
  conversation_id: string | null
  branch_id: string | null
  parent_request_id: string | null
  is_subtask: boolean
  parent_task_request_id: string | null
  link_kind: string | null
  body: unknown
}

function assertGrouping(
  fixture: ClaudeCodeFixture,
  expected: Record<string, ExpectedRequest>,
  rows: Map<string, StoredRow>,
): void {
  const idOf = (label: string) => rows.get(label)?.request_id
  const conversations = new Map<string, string | null>()
  for (const request of fixture.requests) {
    const row = rows.get(request.label)!
    const want = expectedOf(expected, request)
    const where = `${fixture.scenario}: ${request.label}`
    if (want.conversation === null) {
      assert.equal(row.conversation_id, null, where)
      assert.equal(row.branch_id, null, where)
      continue
    }
    // A conversation is named after its first request; letters stand for those ids.
    const known = conversations.get(want.conversation)
    if (known === undefined) conversations.set(want.conversation, row.conversation_id)
    else assert.equal(row.conversation_id, known, `${where}: same conversation as before`)
    assert.notEqual(row.conversation_id, null, where)
    if (want.branch !== undefined) assert.equal(row.branch_id, want.branch, where)
    if (want.link !== undefined) assert.equal(row.link_kind, want.link, `${where}: link kind`)
    if (want.parent !== undefined) {
      assert.equal(
        row.parent_request_id,
        want.parent === null ? null : idOf(want.parent),
        `${where}: parent`,
      )
    }
    if (want.subtaskOf !== undefined) {
      assert.equal(row.parent_task_request_id, idOf(want.subtaskOf), `${where}: spawned by`)
    }
    if (want.isSubtask !== undefined)
      assert.equal(row.is_subtask, want.isSubtask, `${where}: is_subtask`)
  }
  const letters = [...conversations.values()]
  assert.equal(new Set(letters).size, letters.length, `${fixture.scenario}: conversations differ`)
}

/**
 * Sends each recorded request to the proxy in order, as a domain of the fixture's own (the
 * fixtures share session ids once stabilised), and waits until each is stored; the mock
 * answers what was recorded. Returns the request id of each label.
 */
async function replay(
  proxy: ProxyHarness,
  db: Database,
  fixture: ClaudeCodeFixture,
  domain: string,
) {
  const key = testKey()
  const send = fetchAsHost(domain)
  const ids = new Map<string, string>()
  for (const request of fixture.requests) {
    proxy.mock.handler = () =>
      request.streaming
        ? { kind: 'sse', stream: Buffer.from(sseForMessage(request.response as MockMessage)) }
        : { kind: 'json', status: request.statusCode ?? 200, body: request.response }
    const query = request.query === null ? '' : `?${request.query}`
    const res = await send(`${proxy.url}${request.path}${query}`, {
      method: request.method,
      headers: { ...replayHeaders(request.requestHeaders), 'x-api-key': key },
      body: request.body === null ? null : JSON.stringify(request.body),
    })
    await res.arrayBuffer()
    const id = res.headers.get('x-request-id') ?? ''
    await waitForRow(db, id)
    ids.set(request.label, id)
  }
  proxy.mock.handler = undefined
  return ids
}

// One domain per recording (fixture file), so recordings of one scenario by several versions,
// which share session ids once stabilised, do not meet.
function domainOf(name: string): string {
  return `${name.replace(/[^a-z0-9-]/gi, '-')}.claude-code.test`
}

// fetch sets these itself; the redacted key is replaced by a test key.
const NOT_REPLAYED = new Set([
  'host',
  'content-length',
  'connection',
  'accept-encoding',
  'x-api-key',
])

function replayHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !NOT_REPLAYED.has(name)))
}

function expectedOf(
  expected: Record<string, ExpectedRequest>,
  request: FixtureRequest,
): ExpectedRequest {
  const want = expected[request.label]
  if (want === undefined) throw new Error(`no expectation for ${request.label}`)
  return want
}

function byLabel(fixture: ClaudeCodeFixture, label: string): FixtureRequest {
  const found = fixture.requests.find((r) => r.label === label)
  if (found === undefined) throw new Error(`no request ${label} in ${fixture.scenario}`)
  return found
}

function messagesOf(request: FixtureRequest): MessageParam[] {
  return (request.body as { messages: MessageParam[] }).messages
}

function responseContent(request: FixtureRequest): ContentBlock[] {
  return (request.response as { content: ContentBlock[] }).content
}
