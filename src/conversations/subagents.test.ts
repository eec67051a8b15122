// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ContentBlock } from '../anthropic-types.ts'
import { fixtures } from './fixtures/index.ts'
import { extractSpawnedAgents, subagentPromptOf } from './subagents.ts'

describe('extractSpawnedAgents', () => {
  it('reads the Agent tool_use of a Claude Code 2.1 response', () => {
    assert.deepEqual(extractSpawnedAgents(fixtures.mainTurn1Response().content), [
      {
        toolUseId: 'toolu_01Hq7Z3fK9sV2wX5yB8nM4pR',
        toolName: 'Agent',
        prompt:
          'Find where the cart total is computed in /home/dev/shop-api and list the files and functions involved.',
        description: 'Find cart total code',
        subagentType: 'Explore',
      },
    ])
  })

  it('reads older Task tool_use blocks in order, with optional fields left out', () => {
    const content: ContentBlock[] = [
      { type: 'text', text: 'Running two searches in parallel.' },
      {
        type: 'tool_use',
        id: 'toolu_a',
        name: 'Task',
        input: { description: 'Search A', prompt: ' Find A. \n' },
      },
      {
        type: 'tool_use',
        id: 'toolu_b',
        name: 'Task',
        input: { prompt: 'Find B.', subagent_type: 'general-purpose' },
      },
    ]
    assert.deepEqual(extractSpawnedAgents(content), [
      { toolUseId: 'toolu_a', toolName: 'Task', prompt: 'Find A.', description: 'Search A' },
      {
        toolUseId: 'toolu_b',
        toolName: 'Task',
        prompt: 'Find B.',
        subagentType: 'general-purpose',
      },
    ])
  })

  it('ignores other tools and Agent calls without a prompt', () => {
    const content: ContentBlock[] = [
      { type: 'tool_use', id: 'toolu_c', name: 'Read', input: { file_path: 'a.ts', prompt: 'x' } },
      { type: 'tool_use', id: 'toolu_d', name: 'Agent', input: { description: 'no prompt' } },
      { type: 'tool_use', id: 'toolu_e', name: 'Agent', input: 'not an object' },
    ]
    assert.deepEqual(extractSpawnedAgents(content), [])
  })
})

describe('subagentPromptOf', () => {
  it('returns the reminder-free text of a sub-agent first request, equal to the spawn prompt', () => {
    const [spawned] = extractSpawnedAgents(fixtures.mainTurn1Response().content)
    assert.equal(subagentPromptOf(fixtures.subagentTurn1().messages), spawned?.prompt)
  })

  it('ignores role:system entries around the single user message', () => {
    const prompt = subagentPromptOf([
      { role: 'system', content: 'Agent types: Explore, Plan' },
      { role: 'user', content: '<system-reminder>ctx</system-reminder>Find B.' },
    ])
    assert.equal(prompt, 'Find B.')
  })

  it('is null for longer conversations and for requests without user text', () => {
    assert.equal(subagentPromptOf(fixtures.mainTurn2().messages), null)
    assert.equal(
      subagentPromptOf([{ role: 'user', content: '<system-reminder>only</system-reminder>' }]),
      null,
    )
    assert.equal(subagentPromptOf([{ role: 'assistant', content: 'hi' }]), null)
    assert.equal(subagentPromptOf([]), null)
  })
})
