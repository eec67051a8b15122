import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mainTranscript, subagentTranscript, SUBAGENT_PROMPT } from './fixtures/transcript.ts'
import { parseTranscriptLine } from './transcript-line.ts'
import { TranscriptReader, type ImportedMessage } from './transcript-reader.ts'

function readAll(lines: readonly string[]) {
  const reader = new TranscriptReader()
  const messages: ImportedMessage[] = []
  for (const line of lines) messages.push(...reader.push(line))
  messages.push(...reader.end())
  return { messages, reader }
}

const asLines = (objects: readonly object[]) => objects.map((o) => JSON.stringify(o))

test('one message per API response: streamed lines merge, synthetic ones are no call', () => {
  const { messages, reader } = readAll(asLines(mainTranscript()))
  assert.equal(reader.lines, 13)
  assert.deepEqual(reader.malformed, [])
  assert.deepEqual(
    messages.map((m) => [m.messageId, m.parentMessageId, m.grandparentMessageId, m.line]),
    [
      ['msg_A', null, null, 4],
      ['msg_B', 'msg_A', null, 7],
      // After the compact boundary the chain continues from its logical parent.
      ['msg_C', 'msg_B', 'msg_A', 13],
    ],
  )
  const [a] = messages
  assert.deepEqual(
    a?.content.map((b) => (b as { type: string }).type),
    ['text', 'tool_use'],
  )
  // The last line of a streamed response has the final output count.
  assert.equal(a?.usage.output_tokens, 50)
  assert.deepEqual(a?.usage.cache_creation, {
    ephemeral_1h_input_tokens: 2000,
    ephemeral_5m_input_tokens: 1000,
  })
  assert.equal(a?.timestamp, '2026-03-01T10:00:01.000Z')
  assert.equal(a?.lastTimestamp, '2026-03-01T10:00:02.000Z')
  assert.equal(a?.requestId, 'req_msg_A')
  assert.equal(a?.subagentPrompt, null)
})

test("a sub-agent's first call carries the prompt its chain starts with", () => {
  const { messages } = readAll(asLines(subagentTranscript()))
  assert.deepEqual(
    messages.map((m) => [m.messageId, m.agentId, m.isSidechain, m.subagentPrompt]),
    [
      ['msg_S1', 'a1234567890abcdef', true, SUBAGENT_PROMPT],
      ['msg_S2', 'a1234567890abcdef', true, null],
    ],
  )
})

test('malformed lines are counted with their line number and never stop the file', () => {
  const lines = asLines(mainTranscript())
  lines.splice(1, 0, '{"type":"user", truncated', '[1,2]')
  lines.push(
    JSON.stringify({ type: 'assistant', uuid: 'x', timestamp: 'yesterday', message: { id: 'm' } }),
  )
  lines.push(
    JSON.stringify({
      type: 'assistant',
      uuid: 'y',
      timestamp: '2026-03-01T10:00:00Z',
      message: {},
    }),
  )
  const { messages, reader } = readAll(lines)
  assert.equal(messages.length, 3)
  assert.deepEqual(reader.malformed, [
    { line: 2, reason: 'not JSON' },
    { line: 3, reason: 'not a JSON object' },
    { line: 16, reason: 'assistant line without a valid timestamp' },
    { line: 17, reason: 'assistant message without id' },
  ])
})

test('a message id seen again later in the file is not counted twice', () => {
  const lines = asLines(mainTranscript())
  const { messages } = readAll([...lines, lines[3]!, lines[6]!])
  assert.deepEqual(
    messages.map((m) => m.messageId),
    ['msg_A', 'msg_B', 'msg_C'],
  )
})

test('line kinds', () => {
  assert.deepEqual(parseTranscriptLine(''), { kind: 'skipped' })
  assert.deepEqual(parseTranscriptLine('{"type":"summary","summary":"x","leafUuid":"u"}'), {
    kind: 'skipped',
  })
  assert.deepEqual(
    parseTranscriptLine('{"type":"user","uuid":"u","parentUuid":"p","message":{"content":"hi"}}'),
    { kind: 'chain', uuid: 'u', parentUuid: 'p', userContent: 'hi', isSidechain: false },
  )
})
