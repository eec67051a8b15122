import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startProxy, testKey, type ProxyHarness } from '../../../test-support/proxy-harness.ts'
import { claudeCodeInstalled } from '../../../test-support/run-claude-code.ts'
import { describeEachDatabase } from '../../../test-support/test-database.ts'
import { linkEverything, runScenario } from './run-scenario.ts'
import { getScenario } from './scenarios.ts'

const skip = claudeCodeInstalled() ? false : 'the Claude Code CLI is not installed (npm ci)'

describeEachDatabase('the real Claude Code CLI through the proxy', ({ db }) => {
  let proxy: ProxyHarness
  before(async () => {
    proxy = await startProxy(db())
  })
  after(() => proxy.close())

  test(
    'tool turns: the CLI runs Bash and Read, gets its answer, every request is stored',
    { skip, timeout: 60_000 },
    async () => {
      const key = testKey()
      const result = await runScenario(getScenario('tools'), {
        proxy,
        db: db(),
        apiKey: key,
        path: process.env.PATH ?? '/usr/bin:/bin',
        timeoutMs: 45_000,
      })
      try {
        assert.equal(result.runs.length, 1)
        const { run, requests } = result.runs[0]!
        assert.equal(run.exitCode, 0, run.stderr)
        assert.equal(run.result?.is_error, false)
        assert.equal(run.result?.result, 'There is one file, notes.txt; it lists alpha and beta.')
        assert.equal(run.result?.num_turns, 3)
        const session = run.result?.session_id ?? ''
        assert.match(session, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)

        // What the script saw: three main-loop round trips, nothing it did not expect.
        assert.deepEqual(
          result.model.log.map((e) => [e.kind, e.step]),
          [
            ['main', 0],
            ['main', 1],
            ['main', 2],
          ],
        )
        assert.deepEqual(result.model.unknownPaths, [])
        assert.deepEqual(result.model.unscripted, [])

        // Every request the proxy forwarded is stored, in order, with the session header.
        assert.equal(requests.length, 3)
        assert.equal(proxy.mock.received.filter((r) => r.url.startsWith('/v1/')).length, 3)
        assert.deepEqual(
          requests.map((r) => [
            r.method,
            r.path,
            r.query,
            r.status_code,
            r.is_streaming,
            r.request_type,
          ]),
          [
            ['POST', '/v1/messages', 'beta=true', 200, true, 'inference'],
            ['POST', '/v1/messages', 'beta=true', 200, true, 'inference'],
            ['POST', '/v1/messages', 'beta=true', 200, true, 'inference'],
          ],
        )
        assert.deepEqual(
          requests.map((r) => r.session_id),
          [session, session, session],
        )
        assert.deepEqual(
          requests.map((r) => r.agent_id),
          [null, null, null],
        )
        for (const row of requests) {
          const headers = row.request_headers as Record<string, string>
          assert.equal(headers['x-claude-code-session-id'], session)
          assert.equal(headers['x-api-key'], '[redacted]')
          assert.match(headers['user-agent'] ?? '', /^claude-cli\/2\.1\.\d+ /)
          assert.ok(!JSON.stringify(row).includes(key), 'the client key is stored nowhere')
        }

        // The stored bodies show the tools really ran: their results come back in later turns.
        assert.deepEqual(
          requests.map((r) => toolCalls(r.response_body)),
          [['Bash'], ['Read'], []],
        )
        assert.deepEqual(
          requests.map((r) => toolResults(r.body)),
          [[], ['notes.txt'], ['notes.txt', '1\talpha\n2\tbeta\n3\t']],
        )

        // One conversation, named after its first request; each turn follows the one before.
        await linkEverything(db())
        const linked = await db()
          .kysely.selectFrom('api_requests')
          .select(['request_id', 'conversation_id', 'branch_id', 'parent_request_id', 'is_subtask'])
          .where(
            'request_id',
            'in',
            requests.map((r) => r.request_id),
          )
          .orderBy('seq')
          .execute()
        const [first, second, third] = requests.map((r) => r.request_id)
        assert.deepEqual(linked, [
          {
            request_id: first,
            conversation_id: first,
            branch_id: 'main',
            parent_request_id: null,
            is_subtask: false,
          },
          {
            request_id: second,
            conversation_id: first,
            branch_id: 'main',
            parent_request_id: first,
            is_subtask: false,
          },
          {
            request_id: third,
            conversation_id: first,
            branch_id: 'main',
            parent_request_id: second,
            is_subtask: false,
          },
        ])
      } finally {
        await result.sandbox.remove()
      }
    },
  )
})

function toolCalls(response: unknown): string[] {
  const content = (response as { content?: Array<{ type: string; name?: string }> }).content ?? []
  return content.filter((b) => b.type === 'tool_use').map((b) => b.name ?? '')
}

function toolResults(body: unknown): unknown[] {
  const messages = (body as { messages?: Array<{ content: unknown }> }).messages ?? []
  return messages.flatMap((m) =>
    Array.isArray(m.content)
      ? (m.content as Array<{ type: string; content?: unknown }>)
          .filter((b) => b.type === 'tool_result')
          .map((b) => b.content)
      : [],
  )
}
