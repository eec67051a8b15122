import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sha256Hex } from '../conversations/digest.ts'
import { DEFAULT_PRICE_TABLE } from '../usage/price-table.ts'
import { costWith } from '../usage/request-cost.ts'
import { mainTranscript, subagentTranscript, SUBAGENT_PROMPT } from './fixtures/transcript.ts'
import { importedRecord, importedRequestId } from './import-record.ts'
import { TranscriptReader, type ImportedMessage } from './transcript-reader.ts'

function messagesOf(objects: readonly object[]): ImportedMessage[] {
  const reader = new TranscriptReader()
  const out = objects.flatMap((o) => reader.push(JSON.stringify(o)))
  return [...out, ...reader.end()]
}

const costOf = costWith(DEFAULT_PRICE_TABLE)

test('the request id is derived from the message id alone', () => {
  assert.equal(importedRequestId('msg_A'), importedRequestId('msg_A'))
  assert.notEqual(importedRequestId('msg_A'), importedRequestId('msg_B'))
  assert.match(
    importedRequestId('msg_A'),
    /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
  )
})

test('an imported record has the usage split by TTL, the cost, and the import marker', () => {
  const [a] = messagesOf(mainTranscript())
  const r = importedRecord(a!, 'imported.test', costOf)
  assert.deepEqual(
    [r.inputTokens, r.outputTokens, r.cacheCreationInputTokens, r.cacheReadInputTokens],
    [10, 50, 3000, 0],
  )
  assert.deepEqual([r.cacheCreation5mTokens, r.cacheCreation1hTokens], [1000, 2000])
  // claude-sonnet-4-5: $3/MTok in, $15 out, 5-minute writes x1.25, 1-hour writes x2.
  const expected = (10 * 3 + 50 * 15 + 1000 * 3.75 + 2000 * 6) / 1e6
  assert.equal(r.costUsd?.toFixed(9), expected.toFixed(9))
  assert.equal(r.costUsd, costOf('claude-sonnet-4-5', a!.usage).costUsd)
  assert.deepEqual(
    [
      r.source,
      r.messageId,
      r.domain,
      r.timestamp,
      r.durationMs,
      r.toolCallCount,
      r.upstreamRequestId,
    ],
    [
      'claude-code-import',
      'msg_A',
      'imported.test',
      '2026-03-01T10:00:01.000Z',
      1000,
      1,
      'req_msg_A',
    ],
  )
  assert.equal(r.bodyJson, null)
  const response = JSON.parse(r.responseJson ?? '{}') as { content: unknown[] }
  assert.equal(response.content.length, 2)
})

test('link facts chain the calls of a session and start a sub-agent at its prompt', () => {
  const [a, b] = messagesOf(mainTranscript()).map((m) => importedRecord(m, 'd', costOf))
  assert.equal(a?.linkFacts?.parentHash, null)
  assert.equal(b?.linkFacts?.parentHash, a?.linkFacts?.currentHash)
  assert.equal(a?.linkFacts?.promptHash, null)
  const [s1, s2] = messagesOf(subagentTranscript()).map((m) => importedRecord(m, 'd', costOf))
  assert.equal(s1?.linkFacts?.promptHash, sha256Hex(SUBAGENT_PROMPT))
  assert.equal(s1?.agentId, 'a1234567890abcdef')
  assert.equal(s2?.linkFacts?.parentHash, s1?.linkFacts?.currentHash)
  assert.equal(s2?.linkFacts?.promptHash, null)
})
