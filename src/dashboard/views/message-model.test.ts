import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildMessageModel } from './message-model.ts'

test('pairs tool calls with their results, hides reminders and repeated blocks', () => {
  const body = {
    system: [
      { type: 'text', text: 'You are Claude Code.' },
      { type: 'text', text: 'Be brief.' },
    ],
    messages: [
      { role: 'system', content: 'MCP instructions' },
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text: '<system-reminder>CLAUDE.md says hi</system-reminder>\nList files',
          },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'use ls', signature: 'sig' },
          { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a.txt' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'a.txt' },
          { type: 'tool_result', tool_use_id: 'orphan', content: 'no call' },
        ],
      },
    ],
  }
  const model = buildMessageModel(body, { content: [{ type: 'text', text: 'One file.' }] })
  assert.equal(model.system, 'You are Claude Code.\n\nBe brief.')
  assert.equal(model.hiddenReminders, 1)
  assert.equal(model.hiddenDuplicates, 2)
  assert.deepEqual(
    model.messages.map((m) => m.role),
    ['user', 'assistant', 'user'],
  )
  assert.deepEqual(model.messages[0]?.content, [{ type: 'text', text: 'List files' }])
  assert.deepEqual([...model.results.keys()], ['t1'])
  assert.deepEqual(model.response, [{ type: 'text', text: 'One file.' }])
})

test('anything that is not a Messages body gives an empty model, not an error', () => {
  for (const body of [
    null,
    'x',
    [1],
    { messages: 'no' },
    { messages: [null, 1, { role: 'user' }] },
  ]) {
    const model = buildMessageModel(body, 'weird')
    assert.deepEqual(model.messages, [])
    assert.deepEqual(model.response, [])
  }
})
