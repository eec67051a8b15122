import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MessageParam } from '../anthropic-types.ts'
import { loadFixture } from './claude-code/fixture.ts'
import { detectCompaction } from './compaction.ts'
import {
  asksForCompaction,
  summaryKeyOfAnswer,
  summaryKeyOfContinuation,
} from './compaction-summary.ts'

const recorded = loadFixture('compaction').requests
const messagesOf = (label: string) =>
  (recorded.find((r) => r.label === label)!.body as { messages: MessageParam[] }).messages

describe('compaction summaries', () => {
  it('recognises the recorded compaction call and nothing else', () => {
    assert.deepEqual(
      recorded.map((r) => [r.label, asksForCompaction(messagesOf(r.label))]),
      recorded.map((r) => [r.label, r.label === 'compact']),
    )
  })

  it('gives the call’s answer and the recorded continuation the same key', () => {
    const call = recorded.find((r) => r.label === 'compact')!
    const answer = summaryKeyOfAnswer((call.response as { content: unknown }).content)
    const continuation = detectCompaction(
      messagesOf('main "Is SHA-256 still considered secure?" #0'),
    )
    assert.match(answer ?? '', /^[0-9a-f]{64}$/)
    assert.equal(summaryKeyOfContinuation(continuation!.summary), answer)
  })

  it('keys the legacy wording, which kept the analysis, by its summary part', () => {
    const answer = summaryKeyOfAnswer([
      {
        type: 'text',
        text: '<analysis>\nThe user asked for a cart discount.\n</analysis>\n\n<summary>\n1. Primary Request and Intent: add a discount field.\n</summary>',
      },
    ])
    const legacy =
      'Analysis:\nThe user asked for a cart discount.\n\nSummary:\n1. Primary Request and Intent: add a discount field.\nPlease continue the conversation from where we left it off without asking the user any further questions.'
    assert.equal(summaryKeyOfContinuation(legacy), answer)
    assert.notEqual(summaryKeyOfContinuation('Summary:\nSomething else.'), answer)
    assert.equal(summaryKeyOfAnswer([]), null)
  })
})
