// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MessageParam } from '../anthropic-types.ts'
import { fixtures } from './fixtures/index.ts'
import { computeMessageHashes, hashMessages } from './message-hash.ts'

function imageMessage(data: string): MessageParam[] {
  return [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is on this screenshot?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data } },
      ],
    },
  ]
}

describe('hashMessages', () => {
  it('is SHA-256 hex over the canonical normalised list', () => {
    assert.equal(
      hashMessages([{ role: 'user', content: 'hello' }]),
      '88d732a13b910aeb6b247d174228f3ad9225fdc6ee34b2c83da34123b89f89e8',
    )
  })

  it('gives string content and a single text block the same hash', () => {
    assert.equal(
      hashMessages([{ role: 'user', content: 'hello' }]),
      hashMessages([{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]),
    )
  })

  it('does not change when reminders are added or removed', () => {
    const withReminders = fixtures.mainTurn1().messages
    const without: MessageParam[] = [
      { role: 'user', content: 'Add a discount field to the cart total and cover it with a test.' },
    ]
    const inline: MessageParam[] = [
      {
        role: 'user',
        content:
          "Add a discount field to the cart total and cover it with a test.\n\n<system-reminder>\nToday's date is 2026-03-09.\n</system-reminder>",
      },
    ]
    assert.equal(hashMessages(withReminders), hashMessages(without))
    assert.equal(hashMessages(inline), hashMessages(without))
  })

  it('ignores moved cache_control and a re-issued thinking signature', () => {
    const turn = fixtures.mainTurn2()
    const changed = fixtures.mainTurn2()
    const assistant = changed.messages[2]
    assert.ok(assistant !== undefined && Array.isArray(assistant.content))
    assistant.content[0] = {
      type: 'thinking',
      thinking: 'I should find where the cart total is computed before changing it.',
      signature: 'other',
    }
    assistant.content[1] = {
      type: 'text',
      text: "I'll look for the cart total code first.",
      cache_control: { type: 'ephemeral' },
    }
    assert.equal(hashMessages(changed.messages), hashMessages(turn.messages))
  })

  it('leaves role:system entries out', () => {
    const turn = fixtures.mainTurn2()
    const withoutSystem = turn.messages.filter((message) => message.role !== 'system')
    const moreSystem: MessageParam[] = [
      ...turn.messages,
      { role: 'system', content: 'Thinking: adaptive' },
    ]
    assert.equal(hashMessages(withoutSystem), hashMessages(turn.messages))
    assert.equal(hashMessages(moreSystem), hashMessages(turn.messages))
  })

  it('drops a tool_result repeated with an id already seen', () => {
    const turn = fixtures.mainTurn2()
    const duplicated = fixtures.mainTurn2()
    const last = duplicated.messages.at(-1)
    assert.ok(last !== undefined && Array.isArray(last.content) && last.content[0] !== undefined)
    last.content.push(structuredClone(last.content[0]))
    assert.equal(hashMessages(duplicated.messages), hashMessages(turn.messages))
  })

  it('does not depend on key order', () => {
    assert.equal(
      hashMessages([{ content: [{ text: 'hi', type: 'text' }], role: 'user' } as MessageParam]),
      hashMessages([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]),
    )
  })

  it('changes when image bytes change', () => {
    assert.notEqual(
      hashMessages(imageMessage('iVBORw0KGgoAAAA=')),
      hashMessages(imageMessage('iVBORw0KGgoBBBB=')),
    )
  })

  it('changes when the user text really changes', () => {
    const turn = fixtures.mainTurn1()
    const edited = fixtures.mainTurn1()
    const first = edited.messages[0]
    assert.ok(first !== undefined && Array.isArray(first.content))
    first.content[2] = { type: 'text', text: 'Add a discount field to the cart total.' }
    assert.notEqual(hashMessages(edited.messages), hashMessages(turn.messages))
  })

  it('changes when a tool input changes', () => {
    const use = (path: string): MessageParam[] => [
      { role: 'user', content: 'read it' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_9', name: 'Read', input: { file_path: path } }],
      },
    ]
    assert.notEqual(hashMessages(use('a.ts')), hashMessages(use('b.ts')))
  })
})

describe('computeMessageHashes', () => {
  it('links the second turn to the first through its parent hash', () => {
    const first = computeMessageHashes(fixtures.mainTurn1().messages)
    const second = computeMessageHashes(fixtures.mainTurn2().messages)
    assert.equal(second.parent, first.current)
    assert.equal(second.grandparent, null)
    assert.equal(second.messageCount, 3)
    assert.equal(first.messageCount, 1)
  })

  it('finds the grandparent two exchanges back', () => {
    const third: MessageParam[] = [
      ...fixtures.mainTurn2().messages,
      { role: 'assistant', content: [{ type: 'text', text: 'Adding the discount now.' }] },
      { role: 'user', content: 'Also update the README.' },
    ]
    const hashes = computeMessageHashes(third)
    assert.equal(hashes.grandparent, hashMessages(fixtures.mainTurn1().messages))
    assert.equal(hashes.parent, hashMessages(fixtures.mainTurn2().messages))
    assert.equal(hashes.messageCount, 5)
  })

  it('has no parent or grandparent for a first message or an empty list', () => {
    const single = computeMessageHashes([{ role: 'user', content: 'hello' }])
    assert.deepEqual(single, {
      current: '88d732a13b910aeb6b247d174228f3ad9225fdc6ee34b2c83da34123b89f89e8',
      parent: null,
      grandparent: null,
      messageCount: 1,
    })
    const empty = computeMessageHashes([])
    assert.equal(empty.parent, null)
    assert.equal(empty.grandparent, null)
    assert.equal(empty.messageCount, 0)
  })
})
