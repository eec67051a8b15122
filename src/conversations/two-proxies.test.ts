// The ordering invariant (docs/conversations.md): two proxies on one database, conversations
// interleaved across them and run concurrently, then `rebuild --dry-run` finds nothing to
// change, and the grouping is the expected one.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sql } from 'kysely'
import {
  agentCall,
  assistantMessage,
  ClaudeCodeSession,
  firstUserMessage,
  linkView,
  testDomain,
  text,
  toolResultMessage,
  userMessage,
  type LinkView,
} from '../../test-support/conversation-traffic.ts'
import { MockAnthropic, sseForMessage, textMessage } from '../../test-support/mock-anthropic.ts'
import { describeEachDatabase, testDatabaseUrl } from '../../test-support/test-database.ts'
import type { ContentBlock } from '../anthropic-types.ts'
import { createApp } from '../app.ts'
import { loadConfig } from '../config.ts'
import type { Database } from '../db/database.ts'
import { silentLog } from '../log.ts'
import { createConversationStore } from './conversation-store.ts'
import { fixtures } from './fixtures/index.ts'
import { rebuildConversations } from './rebuild-conversations.ts'

const BIN = join(import.meta.dirname, '../../bin/nexus.js')

interface Proxy {
  port: number
  stop(): Promise<void>
}

/** Answers each request with the content blocks the client put in `x-mock-reply`, streamed slowly. */
function replyingMock(): MockAnthropic {
  const mock = new MockAnthropic()
  mock.handler = (req, body) => {
    const reply = req.headers['x-mock-reply']
    if (typeof reply !== 'string') return undefined
    const content = JSON.parse(Buffer.from(reply, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >[]
    const message = {
      ...textMessage((body as { model: string }).model, ''),
      content,
      stop_reason: 'end_turn',
    }
    const stream = Buffer.from(sseForMessage(message))
    const quarter = Math.floor(stream.length / 4)
    return { kind: 'sse', stream, splitAt: [quarter, 2 * quarter, 3 * quarter], delayMs: 40 }
  }
  return mock
}

interface Step {
  body: unknown
  headers?: Record<string, string>
  answer?: ContentBlock[]
  path?: string
}

/** Sends one request to a proxy with the team's Host header; resolves to the stored request id. */
function send(port: number, domain: string, step: Step): Promise<string> {
  const payload = Buffer.from(JSON.stringify(step.body))
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: step.path ?? '/v1/messages',
        headers: {
          host: domain,
          'content-type': 'application/json',
          'content-length': payload.length,
          'x-api-key': 'sk-ant-api03-two-proxies-test-key',
          'anthropic-version': '2023-06-01',
          ...(step.answer
            ? { 'x-mock-reply': Buffer.from(JSON.stringify(step.answer)).toString('base64url') }
            : {}),
          ...step.headers,
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(String(res.headers['x-request-id'])))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/**
 * Five conversations at once, each sending its requests alternately to the two proxies: a
 * sub-agent with side calls, two parallel sub-agents, a retry and a branch, a compaction, and
 * a plain API client.
 *
 * Linking follows the order in which requests are stored. A real turn spends seconds upstream,
 * far longer than a writer takes to store the turn before it on the other proxy; the mock
 * answers in ~150 ms, so on a loaded machine the next turn could be stored first. Each
 * conversation therefore sends its next request only once its previous one is stored, which
 * is what upstream latency guarantees in production (docs/conversations.md, "Ordering").
 */
async function runConversations(
  db: Database,
  proxies: Proxy[],
  domain: string,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  const conversation = (offset: number) => {
    let turn = offset
    return async (label: string, step: Step) => {
      const id = await send(proxies[turn++ % proxies.length]!.port, domain, step)
      ids.set(label, id)
      await waitStored(db, id)
    }
  }

  const subAgent = async () => {
    const go = conversation(0)
    const main = new ClaudeCodeSession(domain)
    const agent = new ClaudeCodeSession(domain, { agentId: 'a-1', sessionId: main.sessionId })
    const prompt = 'Find where the cart total is computed.'
    const u1 = firstUserMessage('Add a discount field to the cart total.')
    const spawn = [...text('Looking first.'), agentCall('toolu_a1', prompt)]
    const read: ContentBlock[] = [
      { type: 'tool_use', id: 'toolu_r1', name: 'Read', input: { file_path: 'src/cart.ts' } },
    ]
    const first = firstUserMessage(prompt)
    const m2 = [u1, assistantMessage(spawn), toolResultMessage('toolu_a1', 'src/cart.ts')]
    await go('a.m1', { body: main.body([u1]), headers: main.headers(), answer: spawn })
    await go('a.count', {
      path: '/v1/messages/count_tokens',
      body: main.body([u1]),
      headers: main.headers(),
    })
    await go('a.s1', { body: agent.subagentBody([first]), headers: agent.headers(), answer: read })
    await go('a.s2', {
      body: agent.subagentBody([
        first,
        assistantMessage(read),
        toolResultMessage('toolu_r1', 'cartTotal'),
      ]),
      headers: agent.headers(),
      answer: text('src/cart.ts'),
    })
    await go('a.m2', { body: main.body(m2), headers: main.headers(), answer: text('Adding it.') })
    await go('a.quota', {
      body: fixtures.sideCall('quotaProbe'),
      headers: main.headers(),
      answer: text('ok'),
    })
    await go('a.m3', {
      body: main.body([...m2, assistantMessage(text('Adding it.')), userMessage('Now a test.')]),
      headers: main.headers(),
      answer: text('Done.'),
    })
  }

  const parallelAgents = async () => {
    const go = conversation(1)
    const main = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Audit the API and the UI.')
    const spawns = [
      agentCall('toolu_api', 'Audit the API.'),
      agentCall('toolu_ui', 'Audit the UI.'),
    ]
    await go('b.m1', { body: main.body([u1]), headers: main.headers(), answer: spawns })
    const agent = async (label: string, agentId: string, prompt: string) => {
      const s = new ClaudeCodeSession(domain, { agentId, sessionId: main.sessionId })
      const first = firstUserMessage(prompt)
      const step = conversation(label === 'b.x' ? 0 : 1)
      await step(`${label}1`, {
        body: s.subagentBody([first]),
        headers: s.headers(),
        answer: text(`${prompt} Looking.`),
      })
      await step(`${label}2`, {
        body: s.subagentBody([
          first,
          assistantMessage(text(`${prompt} Looking.`)),
          userMessage('Go on.'),
        ]),
        headers: s.headers(),
        answer: text('Fine.'),
      })
    }
    await Promise.all([
      agent('b.x', 'b-ui', 'Audit the UI.'),
      agent('b.y', 'b-api', 'Audit the API.'),
    ])
    await go('b.m2', {
      body: main.body([
        u1,
        assistantMessage(spawns),
        toolResultMessage('toolu_api', 'ok'),
        toolResultMessage('toolu_ui', 'ok'),
      ]),
      headers: main.headers(),
      answer: text('Both fine.'),
    })
  }

  const retryAndBranch = async () => {
    const go = conversation(0)
    const s = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Name three cart states.')
    const a1 = assistantMessage(text('open, paid, shipped'))
    const p2 = [u1, a1, userMessage('And two more.')]
    await go('c.p1', {
      body: s.body([u1]),
      headers: s.headers(),
      answer: text('open, paid, shipped'),
    })
    await go('c.p2', { body: s.body(p2), headers: s.headers(), answer: text('refunded, lost') })
    await go('c.p2r', { body: s.body(p2), headers: s.headers(), answer: text('refunded, lost') })
    await go('c.q2', {
      body: s.body([u1, a1, userMessage('Only one more.')]),
      headers: s.headers(),
      answer: text('refunded'),
    })
    await go('c.p3', {
      body: s.body([...p2, assistantMessage(text('refunded, lost')), userMessage('Thanks.')]),
      headers: s.headers(),
      answer: text('You are welcome.'),
    })
  }

  const compaction = async () => {
    const go = conversation(1)
    const s = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Refactor the cart module.')
    const a1 = assistantMessage(text('Refactored.'))
    await go('d.m1', { body: s.body([u1]), headers: s.headers(), answer: text('Refactored.') })
    await go('d.compact', {
      body: s.body([
        u1,
        a1,
        userMessage('Your task is to create a detailed summary of the conversation so far.'),
      ]),
      headers: s.headers(),
      answer: text('<summary>Refactored the cart.</summary>'),
    })
    const continuation = JSON.parse(
      JSON.stringify(fixtures.compactedCurrent()).replaceAll(
        '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b',
        s.sessionId,
      ),
    )
    await go('d.k1', { body: continuation, headers: s.headers(), answer: text('Continuing.') })
    await go('d.k2', {
      body: {
        ...continuation,
        messages: [
          ...continuation.messages,
          assistantMessage(text('Continuing.')),
          userMessage('Go on.'),
        ],
      },
      headers: s.headers(),
      answer: text('Done.'),
    })
  }

  const plainClient = async () => {
    const go = conversation(1)
    const body = (...messages: unknown[]) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      stream: true,
      messages,
    })
    const q1 = { role: 'user', content: 'What is 2+2?' }
    const q2 = { role: 'user', content: 'And times 3?' }
    await go('e.1', { body: body(q1), answer: text('4') })
    await go('e.2', { body: body(q1, assistantMessage(text('4')), q2), answer: text('12') })
    await go('e.3', {
      body: body(q1, assistantMessage(text('4')), q2, assistantMessage(text('12')), {
        role: 'user',
        content: 'Thanks',
      }),
      answer: text(':)'),
    })
  }

  await Promise.all([subAgent(), parallelAgents(), retryAndBranch(), compaction(), plainClient()])
  return ids
}

const EXPECTED: Record<string, LinkView> = {
  'a.m1': ['a.m1', 'main', 'root', null, false, null],
  'a.count': [null, null, null, null, false, null],
  'a.s1': ['a.m1', 'subtask_1', 'subtask', 'a.m1', true, 'a.m1'],
  'a.s2': ['a.m1', 'subtask_1', 'parent', 'a.s1', true, 'a.m1'],
  'a.m2': ['a.m1', 'main', 'parent', 'a.m1', false, null],
  'a.quota': [null, null, null, null, false, null],
  'a.m3': ['a.m1', 'main', 'parent', 'a.m2', false, null],
  'b.m1': ['b.m1', 'main', 'root', null, false, null],
  'b.x1': ['b.m1', 'subtask_2', 'subtask', 'b.m1', true, 'b.m1'],
  'b.x2': ['b.m1', 'subtask_2', 'parent', 'b.x1', true, 'b.m1'],
  'b.y1': ['b.m1', 'subtask_1', 'subtask', 'b.m1', true, 'b.m1'],
  'b.y2': ['b.m1', 'subtask_1', 'parent', 'b.y1', true, 'b.m1'],
  'b.m2': ['b.m1', 'main', 'parent', 'b.m1', false, null],
  'c.p1': ['c.p1', 'main', 'root', null, false, null],
  'c.p2': ['c.p1', 'main', 'parent', 'c.p1', false, null],
  'c.p2r': ['c.p1', 'main', 'parent', 'c.p1', false, null],
  'c.q2': ['c.p1', 'branch_1', 'parent', 'c.p1', false, null],
  'c.p3': ['c.p1', 'main', 'parent', 'c.p2r', false, null],
  'd.m1': ['d.m1', 'main', 'root', null, false, null],
  'd.compact': ['d.m1', 'main', 'parent', 'd.m1', false, null],
  'd.k1': ['d.m1', 'compact_1', 'compaction', 'd.compact', false, null],
  'd.k2': ['d.m1', 'compact_1', 'parent', 'd.k1', false, null],
  'e.1': ['e.1', 'main', 'root', null, false, null],
  'e.2': ['e.1', 'main', 'parent', 'e.1', false, null],
  'e.3': ['e.1', 'main', 'parent', 'e.2', false, null],
}

async function waitStored(db: Database, requestId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (
    !(await db.kysely
      .selectFrom('api_requests')
      .select('seq')
      .where('request_id', '=', requestId)
      .executeTakeFirst())
  ) {
    if (Date.now() > deadline) throw new Error(`request ${requestId} was not stored in time`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function waitUntilLinked(db: Database, ids: Map<string, string>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  const wanted = JSON.stringify([...ids.values()])
  for (;;) {
    const r = await sql<{ stored: number; pending: number }>`select
        (select count(*)::int from api_requests where request_id in (select value::uuid from jsonb_array_elements_text(${wanted}::jsonb))) as stored,
        (select count(*)::int from api_requests where seq > (select linked_through from conversation_link_state)) as pending`.execute(
      db.kysely,
    )
    if (r.rows[0]?.stored === ids.size && r.rows[0].pending === 0) return
    if (Date.now() > deadline) throw new Error(`not linked in time: ${JSON.stringify(r.rows[0])}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function assertMatchesRebuild(db: Database) {
  const report = await rebuildConversations(createConversationStore(db), { dryRun: true })
  assert.deepEqual(
    [report.changedRequests, report.requestSample, report.changedConversations],
    [0, [], 0],
    'live links equal a rebuild',
  )
}

async function inProcessProxy(db: Database, mockUrl: string): Promise<Proxy> {
  const dir = await mkdtemp(join(tmpdir(), 'nexus-two-proxies-'))
  const config = loadConfig({
    CLAUDE_API_BASE_URL: mockUrl,
    DATA_DIR: dir,
    CREDENTIALS_DIR: dir,
    STORAGE_FLUSH_INTERVAL_MS: '5',
    LOG_LEVEL: 'silent',
  })
  const app = createApp({ config, db, log: silentLog })
  await app.start()
  const server = app.createProxyServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await app.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

function runNexus(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', NEXUS_FROM_SOURCE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()))
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
  return { child, out, exited }
}

/** `nexus proxy` in a process of its own, on PostgreSQL in the test's schema. */
async function processProxy(databaseUrl: string, mockUrl: string): Promise<Proxy> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'nexus-two-proxies-'))
  const nexus = runNexus(['proxy'], {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    CLAUDE_API_BASE_URL: mockUrl,
    DATA_DIR: dir,
    CREDENTIALS_DIR: dir,
    STORAGE_FLUSH_INTERVAL_MS: '5',
    LOG_LEVEL: 'warn',
  })
  const deadline = Date.now() + 60_000
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) break
    if (Date.now() > deadline) throw new Error(`nexus proxy did not start: ${nexus.out.stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    port,
    async stop() {
      nexus.child.kill('SIGTERM')
      assert.equal(await nexus.exited, 0, nexus.out.stderr)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function schemaUrl(schema: string): string {
  const url = new URL(testDatabaseUrl())
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.href
}

describeEachDatabase('two proxies on one database', ({ db, backend, schema }) => {
  test('two apps in one process: live links equal a rebuild', async () => {
    const mock = replyingMock()
    await mock.start()
    const proxies = [await inProcessProxy(db(), mock.url), await inProcessProxy(db(), mock.url)]
    try {
      const domain = testDomain()
      const ids = await runConversations(db(), proxies, domain)
      await waitUntilLinked(db(), ids)
      assert.deepEqual(await linkView(db(), ids), EXPECTED)
    } finally {
      for (const p of proxies) await p.stop()
      await mock.close()
    }
    await assertMatchesRebuild(db())
  })

  if (backend === 'postgres') {
    test('two `nexus proxy` processes: live links equal a rebuild, and the CLI dry run agrees', async () => {
      const mock = replyingMock()
      await mock.start()
      const url = schemaUrl(schema()!)
      const proxies = await Promise.all([processProxy(url, mock.url), processProxy(url, mock.url)])
      let ids: Map<string, string>
      try {
        ids = await runConversations(db(), proxies, testDomain())
        await waitUntilLinked(db(), ids)
      } finally {
        for (const p of proxies) await p.stop()
        await mock.close()
      }
      assert.deepEqual(await linkView(db(), ids), EXPECTED)
      await assertMatchesRebuild(db())

      const rebuild = runNexus(['conversations', 'rebuild', '--dry-run'], {
        DATABASE_URL: url,
        LOG_LEVEL: 'warn',
      })
      assert.equal(await rebuild.exited, 0, rebuild.out.stderr)
      assert.match(
        rebuild.out.stdout,
        /\(dry run: nothing was written\)\.\nNo differences: the stored links are what a rebuild gives\.\n$/,
      )
      assert.match(rebuild.out.stderr, /\[#{30}\] 100%/)
    })
  }
})
