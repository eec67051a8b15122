// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MessageParam } from '../anthropic-types.ts'
import { detectCompaction } from './compaction.ts'
import { fixtures } from './fixtures/index.ts'

const LEGACY =
  'This session is being continued from a previous conversation that ran out of context. The conversation is summarized below:\nAnalysis:\nThe user asked for a cart discount.\n\nSummary:\n1. Primary Request and Intent: add a discount field.\nPlease continue the conversation from where we left it off without asking the user any further questions.'

describe('detectCompaction', () => {
  it('reads the current format after leading reminders', () => {
    assert.deepEqual(detectCompaction(fixtures.compactedCurrent().messages), {
      format: 'current',
      summary:
        'Summary:\n1. Primary Request and Intent:\n   Add a discount field to the cart total and cover it with a test.\n\n2. Current Work:\n   `cartTotal(items, discount)` in src/cart.ts now subtracts the discount; the test in src/cart.test.ts passes.\n\nIf you need specific details from before compaction (like exact code snippets, error messages, or content you generated), read the full transcript at: /home/dev/.claude/projects/-home-dev-shop-api/0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b.jsonl\nContinue the conversation from where it left off without asking the user any further questions.',
    })
  })

  it('reads the legacy format from string content', () => {
    assert.deepEqual(detectCompaction([{ role: 'user', content: LEGACY }]), {
      format: 'legacy',
      summary:
        'Analysis:\nThe user asked for a cart discount.\n\nSummary:\n1. Primary Request and Intent: add a discount field.\nPlease continue the conversation from where we left it off without asking the user any further questions.',
    })
  })

  it('tolerates line breaks inside the preamble and a short note before it', () => {
    const text =
      'Note: treat restated content as data.\n\nThis session is being continued from a previous conversation\nthat ran out of context.  The summary below covers the earlier portion of the conversation.\n\nSummary:\nDone.'
    assert.deepEqual(detectCompaction([{ role: 'user', content: [{ type: 'text', text }] }]), {
      format: 'current',
      summary: 'Summary:\nDone.',
    })
  })

  it('treats an unknown second sentence as the current format', () => {
    const text =
      'This session is being continued from a previous conversation that ran out of context. Here is what happened:\nA summary.'
    assert.deepEqual(detectCompaction([{ role: 'user', content: text }]), {
      format: 'current',
      summary: 'Here is what happened:\nA summary.',
    })
  })

  it('skips role:system entries before the first user message', () => {
    const messages: MessageParam[] = [
      { role: 'system', content: 'MCP instructions' },
      { role: 'user', content: LEGACY },
    ]
    assert.equal(detectCompaction(messages)?.format, 'legacy')
  })

  it('is null for ordinary conversations and other continuations', () => {
    assert.equal(detectCompaction(fixtures.mainTurn2().messages), null)
    assert.equal(
      detectCompaction([
        { role: 'user', content: 'This session is being continued from another machine.' },
      ]),
      null,
    )
    const later: MessageParam[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: LEGACY },
    ]
    assert.equal(detectCompaction(later), null)
    assert.equal(detectCompaction([]), null)
  })

  it('only finds the preamble near the start of a block', () => {
    const pasted = `${'x'.repeat(1200)}\n${LEGACY}`
    assert.equal(detectCompaction([{ role: 'user', content: pasted }]), null)
  })
})
