import { randomUUID } from 'node:crypto'
import type { MockMessage } from '../test-support/mock-anthropic.ts'

// What the benchmark sends and what the mock answers: shaped like a Claude Code turn (system
// prompt in blocks, tool definitions, a conversation with tool calls and file contents), so
// the proxy and the writer handle bodies of the size and structure they see in production.

const WORDS = (
  'the a function returns value config request response stream token cache message tool ' +
  'result error handler module import export const let async await promise buffer header ' +
  'proxy storage database query index schema migration test assert expect file path line ' +
  'user assistant system content block text input output model usage limit window session ' +
  'when if then else for while because so that which this every each never always only'
).split(' ')

/** Deterministic text of about `bytes` characters (a tiny LCG, so runs are comparable). */
export function prose(bytes: number, seed: number): string {
  let state = seed >>> 0
  const out: string[] = []
  let size = 0
  let sentence = 0
  while (size < bytes) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    let word = WORDS[state % WORDS.length] ?? 'x'
    if (sentence === 0) word = word[0]!.toUpperCase() + word.slice(1)
    sentence++
    const end = sentence > 8 && state % 7 === 0
    if (end) sentence = 0
    const piece = end ? `${word}. ` : `${word} `
    out.push(piece)
    size += piece.length
  }
  return out.join('').slice(0, bytes)
}

function codeFile(lines: number, seed: number): string {
  const out: string[] = []
  for (let i = 0; i < lines; i++) {
    const indent = '  '.repeat(i % 4)
    out.push(
      `${String(i + 1).padStart(5)}→${indent}const v${i} = ${JSON.stringify(prose(40, seed + i))}`,
    )
  }
  return out.join('\n')
}

const TOOL_NAMES = [
  'Task',
  'Bash',
  'Glob',
  'Grep',
  'Read',
  'Edit',
  'MultiEdit',
  'Write',
  'NotebookEdit',
  'WebFetch',
  'TodoWrite',
  'WebSearch',
  'BashOutput',
  'KillShell',
  'ExitPlanMode',
  'SlashCommand',
]

function tools(): unknown[] {
  return TOOL_NAMES.map((name, i) => ({
    name,
    description: prose(450 + (i % 5) * 120, 100 + i),
    input_schema: {
      type: 'object',
      properties: {
        file_path: { type: 'string', description: prose(90, 200 + i) },
        command: { type: 'string', description: prose(120, 300 + i) },
        timeout: { type: 'number', description: 'Optional timeout in milliseconds (max 600000)' },
      },
      required: i % 2 === 0 ? ['file_path'] : ['command'],
      additionalProperties: false,
      $schema: 'http://json-schema.org/draft-07/schema#',
    },
  }))
}

function messages(): unknown[] {
  const toolUse = (id: string, name: string, input: unknown) => ({
    type: 'tool_use',
    id,
    name,
    input,
  })
  const toolResult = (id: string, content: string) => ({
    type: 'tool_result',
    tool_use_id: id,
    content,
  })
  return [
    {
      role: 'user',
      content: [
        {
          type: 'text',
          text: `<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\n${prose(1_200, 7)}\n</system-reminder>`,
        },
        { type: 'text', text: 'Add a discount field to the cart total and cover it with a test.' },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: prose(220, 11) },
        toolUse('toolu_01A', 'Read', { file_path: '/home/dev/shop-api/src/cart.ts' }),
      ],
    },
    { role: 'user', content: [toolResult('toolu_01A', codeFile(60, 13))] },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: prose(180, 17) },
        toolUse('toolu_01B', 'Grep', { pattern: 'total', path: 'src' }),
      ],
    },
    { role: 'user', content: [toolResult('toolu_01B', prose(1_500, 19))] },
    {
      role: 'assistant',
      content: [
        toolUse('toolu_01C', 'Edit', {
          file_path: '/home/dev/shop-api/src/cart.ts',
          old_string: prose(300, 23),
          new_string: prose(420, 29),
        }),
      ],
    },
    { role: 'user', content: [toolResult('toolu_01C', prose(600, 31))] },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: prose(200, 37) },
        toolUse('toolu_01D', 'Bash', { command: 'pnpm test src/cart.test.ts', timeout: 120000 }),
      ],
    },
    { role: 'user', content: [toolResult('toolu_01D', prose(1_800, 41))] },
    { role: 'user', content: [{ type: 'text', text: 'Now also handle a negative discount.' }] },
  ]
}

/** A Claude Code-like `POST /v1/messages` body of about 40 KB. */
export function requestBody(stream: boolean): Buffer {
  const body = {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 32_000,
    stream,
    metadata: { user_id: `user_${'a1b2c3d4'.repeat(8)}_account__session_${randomUUID()}` },
    system: [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.80; cc_entrypoint=cli;' },
      {
        type: 'text',
        text: "You are Claude Code, Anthropic's official CLI for Claude.",
        cache_control: { type: 'ephemeral' },
      },
      { type: 'text', text: prose(9_000, 3), cache_control: { type: 'ephemeral' } },
    ],
    tools: tools(),
    messages: messages(),
  }
  return Buffer.from(JSON.stringify(body))
}

/** Headers Claude Code sends (the key is fake; the proxy passes it through and redacts it). */
export function requestHeaders(host: string): Record<string, string> {
  return {
    host,
    accept: 'application/json',
    'content-type': 'application/json',
    'anthropic-version': '2023-06-01',
    'anthropic-beta':
      'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
    'anthropic-dangerous-direct-browser-access': 'true',
    'user-agent': 'claude-cli/2.1.80 (external, cli)',
    'x-app': 'cli',
    'x-api-key': 'sk-ant-api03-benchBENCHbenchBENCHbenchBENCHbenchBENCH0123456789-AAAAAAAA',
    'x-claude-code-session-id': '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b',
    'x-stainless-arch': 'x64',
    'x-stainless-lang': 'js',
    'x-stainless-os': 'Linux',
    'x-stainless-package-version': '0.60.0',
    'x-stainless-retry-count': '0',
    'x-stainless-runtime': 'node',
    'x-stainless-runtime-version': 'v20.20.0',
    'x-stainless-timeout': '600',
  }
}

export const REQUEST_PATH = '/v1/messages?beta=true'

const MODEL = 'claude-sonnet-4-5-20250929'
const USAGE = {
  input_tokens: 4,
  output_tokens: 312,
  cache_creation_input_tokens: 1_204,
  cache_read_input_tokens: 18_044,
}
const ANSWER = prose(640, 43)
const EDIT_INPUT = {
  file_path: '/home/dev/shop-api/src/cart.ts',
  old_string: prose(200, 47),
  new_string: prose(320, 53),
}

/** The non-streaming answer: text and a tool call, about 2 KB. */
export function jsonReply(): MockMessage {
  return {
    id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [
      { type: 'text', text: ANSWER },
      { type: 'tool_use', id: 'toolu_01E', name: 'Edit', input: EDIT_INPUT },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: USAGE,
  }
}

const TEXT_DELTAS = 12
const JSON_DELTAS = 10

function pieces(text: string, n: number): string[] {
  const size = Math.ceil(text.length / n)
  return Array.from({ length: n }, (_, i) => text.slice(i * size, (i + 1) * size))
}

/**
 * The streaming answer as the API sends it: 30 events (message_start, a text block in 12
 * deltas, a tool_use block in 10 input_json deltas, message_delta, message_stop), and the
 * byte offsets of the event boundaries so the mock can write each event on its own.
 */
export function sseReply(): { stream: Buffer; boundaries: number[]; events: number } {
  const message = jsonReply()
  const events: Array<[string, unknown]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { ...USAGE, output_tokens: 1 },
        },
      },
    ],
    [
      'content_block_start',
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ],
    ['ping', { type: 'ping' }],
  ]
  for (const text of pieces(ANSWER, TEXT_DELTAS)) {
    events.push([
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    ])
  }
  events.push(['content_block_stop', { type: 'content_block_stop', index: 0 }])
  events.push([
    'content_block_start',
    {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_01E', name: 'Edit', input: {} },
    },
  ])
  for (const partial_json of pieces(JSON.stringify(EDIT_INPUT), JSON_DELTAS)) {
    events.push([
      'content_block_delta',
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json } },
    ])
  }
  events.push(['content_block_stop', { type: 'content_block_stop', index: 1 }])
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 312 },
    },
  ])
  events.push(['message_stop', { type: 'message_stop' }])

  const texts = events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
  const boundaries: number[] = []
  let offset = 0
  for (const text of texts.slice(0, -1)) {
    offset += Buffer.byteLength(text)
    boundaries.push(offset)
  }
  return { stream: Buffer.from(texts.join('')), boundaries, events: events.length }
}

/** The messages with a cache marker on every block of the last one, as Claude Code sends them. */
export function markLastForCache(messages: ReadonlyArray<Record<string, unknown>>): unknown[] {
  return messages.map((m, i) =>
    i === messages.length - 1
      ? {
          ...m,
          content: (m.content as object[]).map((b) => ({
            ...b,
            cache_control: { type: 'ephemeral' },
          })),
        }
      : m,
  )
}
