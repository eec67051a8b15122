import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ClaudeCodeFixture, FixtureRequest } from './fixture.ts'
import { stabilize, stripIfLarge } from './stabilize.ts'

const ROOT = '/tmp/nexus-cc-Ab12Cd'
const SESSION = '7709eb48-af9a-4c35-b180-294dfd322a87'
const DEVICE = '0eb6e645048c389363b01d36fa3739d96d654943c6cdbd16b498f235d1fc2071'

function request(overrides: Partial<FixtureRequest>): FixtureRequest {
  return {
    label: 'main "hi" #0',
    run: 0,
    method: 'POST',
    path: '/v1/messages',
    query: 'beta=true',
    statusCode: 200,
    streaming: true,
    requestHeaders: {},
    body: null,
    response: null,
    ...overrides,
  }
}

function fixture(requests: FixtureRequest[]): ClaudeCodeFixture {
  return {
    scenario: 's',
    summary: '',
    claudeCodeVersion: '2.1.197',
    runs: [{ args: ['-p', 'hi'], sessionId: SESSION, result: 'ok' }],
    stripped: null,
    requests,
  }
}

test('volatile values are replaced consistently, everything else is kept', () => {
  const body = {
    metadata: {
      user_id: JSON.stringify({ device_id: DEVICE, account_uuid: '', session_id: SESSION }),
    },
    system: [
      {
        type: 'text',
        text: `memory at \`${ROOT}/home/.claude/projects/-tmp-nexus-cc-Ab12Cd-project/memory/\`\n - Primary working directory: ${ROOT}/project\n - OS Version: Linux 6.18.44-fc-v782\n - Platform: linux`,
      },
    ],
    messages: [
      {
        role: 'user',
        content: "<system-reminder>\nToday's date is 2026-11-25.\n</system-reminder>",
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01abc',
            content:
              'agentId: a4759973fc24f7c7a\n<usage>subagent_tokens: 1240\nduration_ms: 316</usage>',
          },
        ],
      },
    ],
  }
  const headers = {
    host: '127.0.0.1:41234',
    'content-length': '99999',
    'x-claude-code-session-id': SESSION,
    'x-claude-code-agent-id': 'a4759973fc24f7c7a',
    'x-api-key': '[redacted]',
  }
  const stable = stabilize(fixture([request({ requestHeaders: headers, body })]), {
    sandboxRoot: ROOT,
  })

  const session = '00000000-0000-4000-8000-000000000001'
  assert.equal(stable.runs[0]?.sessionId, session)
  const [only] = stable.requests
  assert.deepEqual(only?.body, {
    metadata: {
      user_id: JSON.stringify({
        device_id: `${'0'.repeat(63)}1`,
        account_uuid: '',
        session_id: session,
      }),
    },
    system: [
      {
        type: 'text',
        text: 'memory at `/tmp/nexus-cc-fixture/home/.claude/projects/-tmp-nexus-cc-fixture-project/memory/`\n - Primary working directory: /tmp/nexus-cc-fixture/project\n - OS Version: Linux 6.0.0\n - Platform: linux',
      },
    ],
    messages: [
      {
        role: 'user',
        content: "<system-reminder>\nToday's date is 2026-01-15.\n</system-reminder>",
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01abc',
            content:
              'agentId: a0000000000000001\n<usage>subagent_tokens: 1240\nduration_ms: 1000</usage>',
          },
        ],
      },
    ],
  })
  assert.deepEqual(only?.requestHeaders, {
    host: '127.0.0.1:3000',
    'content-length': String(Buffer.byteLength(JSON.stringify(only?.body))),
    'x-claude-code-session-id': session,
    'x-claude-code-agent-id': 'a0000000000000001',
    'x-api-key': '[redacted]',
  })
})

test('tool descriptions are stripped only from a fixture over 200 KB', () => {
  const tool = (description: string) => ({
    name: 'Bash',
    description,
    input_schema: {
      type: 'object',
      properties: { command: { type: 'string', description: 'The command' } },
    },
  })
  const small = fixture([request({ body: { tools: [tool('Runs a command.')] } })])
  assert.equal(stripIfLarge(small), small)

  const large = stripIfLarge(fixture([request({ body: { tools: [tool('x'.repeat(210_000))] } })]))
  assert.match(large.stripped ?? '', /^tool descriptions/)
  assert.deepEqual(large.requests[0]?.body, {
    tools: [
      {
        name: 'Bash',
        description: '[stripped: 210000 chars]',
        input_schema: {
          type: 'object',
          properties: { command: { type: 'string', description: '[stripped: 11 chars]' } },
        },
      },
    ],
  })
})
