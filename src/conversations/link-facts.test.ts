import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fixtures } from './fixtures/index.ts'
import { summaryKeyOfAnswer } from './compaction-summary.ts'
import { deriveRequest, linkFactsOf, spawnFactsOf } from './link-facts.ts'

describe('linkFactsOf', () => {
  it('chains Claude Code 2.1 turns: the second turn’s parent hash is the first turn’s hash', () => {
    const first = linkFactsOf(fixtures.mainTurn1())!
    const second = linkFactsOf(fixtures.mainTurn2())!
    assert.equal(second.parentHash, first.currentHash)
    assert.equal(second.grandparentHash, null)
    // Turn 2 carries a role:"system" MCP entry, which counts as system prompt: the system
    // hash is only a preference, so the turns still link (conversation-linker.test.ts).
    assert.notEqual(second.systemHash, first.systemHash)
    assert.equal(second.promptHash, null)
    assert.equal(second.compaction, null)
  })

  it('gives a single-message request the prompt hash its spawning Agent call has', () => {
    const [spawn] = spawnFactsOf(fixtures.mainTurn1Response().content)
    assert.deepEqual(spawn, {
      toolIndex: 0,
      toolUseId: 'toolu_01Hq7Z3fK9sV2wX5yB8nM4pR',
      promptHash: linkFactsOf(fixtures.subagentTurn1())!.promptHash,
    })
  })

  it('reads the summarised session from the transcript path of a continuation', () => {
    const { compaction } = linkFactsOf(fixtures.compactedCurrent())!
    assert.deepEqual(compaction, {
      format: 'current',
      transcriptSessionId: '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b',
      summaryKey: summaryKeyOfAnswer([
        {
          type: 'text',
          text: '<summary>1. Primary Request and Intent:\n   Add a discount field to the cart total and cover it with a test.\n\n2. Current Work:\n   `cartTotal(items, discount)` in src/cart.ts now subtracts the discount; the test in src/cart.test.ts passes.</summary>',
        },
      ]),
    })
    assert.match(compaction?.summaryKey ?? '', /^[0-9a-f]{64}$/)
  })

  it('finds the continuation in the first user turn of a longer conversation only', () => {
    const body = fixtures.compactedCurrent()
    body.messages.push(
      { role: 'assistant', content: 'Continuing.' },
      {
        role: 'user',
        content:
          'This session is being continued from a previous conversation that ran out of context. (quoted)',
      },
    )
    assert.equal(linkFactsOf(body)!.compaction?.format, 'current')
    const quoted = fixtures.mainTurn2()
    quoted.messages.push({ role: 'assistant', content: 'ok' }, body.messages[0]!)
    assert.equal(linkFactsOf(quoted)!.compaction, null)
  })

  it('has nothing to link without messages', () => {
    assert.equal(linkFactsOf({ model: 'claude-sonnet-4-5', max_tokens: 5 }), null)
    assert.equal(
      linkFactsOf({
        messages: [{ role: 'user', content: '<system-reminder>x</system-reminder>' }],
      }),
      null,
    )
    assert.equal(linkFactsOf('not json'), null)
  })
})

describe('spawnFactsOf', () => {
  it('lists Agent and Task calls in order, skipping other tools and non-arrays', () => {
    const content = [
      { type: 'tool_use', id: 'a', name: 'Read', input: { file_path: 'x' } },
      { type: 'tool_use', id: 'b', name: 'Task', input: { prompt: 'B' } },
      { type: 'tool_use', id: 'c', name: 'Agent', input: { prompt: 'C' } },
    ]
    assert.deepEqual(
      spawnFactsOf(content).map((s) => [s.toolIndex, s.toolUseId]),
      [
        [0, 'b'],
        [1, 'c'],
      ],
    )
    assert.deepEqual(spawnFactsOf(null), [])
  })
})

describe('deriveRequest', () => {
  it('classifies, reads session evidence and derives facts for inference only', () => {
    const headers = { 'x-claude-code-session-id': 's-1', 'x-claude-code-agent-id': 'agent-1' }
    const inference = deriveRequest({
      method: 'POST',
      path: '/v1/messages',
      headers,
      body: fixtures.subagentTurn1(),
    })
    assert.equal(inference.requestType, 'inference')
    assert.equal(inference.sessionId, 's-1')
    assert.equal(inference.agentId, 'agent-1')
    assert.notEqual(inference.facts, null)
    const quota = deriveRequest({
      method: 'POST',
      path: '/v1/messages',
      headers: {},
      body: fixtures.sideCall('quotaProbe'),
    })
    assert.deepEqual(quota, {
      requestType: 'quota',
      sessionId: '7f5456e6-220f-43d7-ba40-975559967185',
      agentId: null,
      facts: null,
    })
  })
})
