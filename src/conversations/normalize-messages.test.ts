// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MessageParam } from '../anthropic-types.ts'
import { normalizeMessages } from './normalize-messages.ts'

describe('normalizeMessages', () => {
  it('turns string content into one text block and trims what reminders leave behind', () => {
    const messages: MessageParam[] = [
      { role: 'user', content: '<system-reminder>ctx</system-reminder>\n\nFix the bug.' },
    ]
    assert.deepEqual(normalizeMessages(messages), [
      { role: 'user', content: [{ type: 'text', text: 'Fix the bug.' }] },
    ])
  })

  it('drops role:system entries, empty text blocks and messages left empty', () => {
    const messages: MessageParam[] = [
      {
        role: 'user',
        content: [{ type: 'text', text: '<system-reminder>only</system-reminder>' }],
      },
      { role: 'system', content: 'MCP instructions' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '' },
          { type: 'text', text: 'Hi' },
        ],
      },
    ]
    assert.deepEqual(normalizeMessages(messages), [
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    ])
  })

  it('keeps a user turn of reminders only between two answers, as one fixed block', () => {
    const notification = (task: string): MessageParam => ({
      role: 'user',
      content: [
        {
          type: 'text',
          text: `<system-reminder>\n<task-notification>${task} completed</task-notification>\n</system-reminder>`,
        },
      ],
    })
    const messages = (task: string): MessageParam[] => [
      { role: 'user', content: 'Run the tests in the background.' },
      { role: 'assistant', content: 'Started.' },
      notification(task),
      { role: 'assistant', content: 'They passed.' },
    ]
    const expected = [
      { role: 'user', content: [{ type: 'text', text: 'Run the tests in the background.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Started.' }] },
      { role: 'user', content: [{ type: 'system_reminder_turn' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'They passed.' }] },
    ]
    assert.deepEqual(normalizeMessages(messages('bash_1')), expected)
    assert.deepEqual(normalizeMessages(messages('bash_2')), expected)
  })

  it('lets a user message after a reminder-only one replace it', () => {
    const messages: MessageParam[] = [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: '<system-reminder>file changed</system-reminder>' },
      { role: 'user', content: 'c' },
    ]
    assert.deepEqual(normalizeMessages(messages), [
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
      { role: 'user', content: [{ type: 'text', text: 'c' }] },
    ])
  })

  it('merges consecutive turns of the same role', () => {
    const messages: MessageParam[] = [
      { role: 'user', content: 'a' },
      { role: 'system', content: 'ignored' },
      { role: 'user', content: 'b' },
    ]
    assert.deepEqual(normalizeMessages(messages), [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ])
  })

  it('drops cache_control, signature and citations', () => {
    const messages: MessageParam[] = [
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'text', text: 'Paris.', citations: [{ cited_text: 'x' }], cache_control: {} },
        ],
      },
    ]
    assert.deepEqual(normalizeMessages(messages), [
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hmm' },
          { type: 'text', text: 'Paris.' },
        ],
      },
    ])
  })

  it('keeps only the first tool_use and tool_result of each id', () => {
    const use = { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: 'a.ts' } }
    const result = { type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }
    const messages: MessageParam[] = [
      { role: 'assistant', content: [use] },
      { role: 'user', content: [result, { ...result }] },
      { role: 'assistant', content: [{ ...use }, { type: 'text', text: 'done' }] },
    ]
    assert.deepEqual(normalizeMessages(messages), [
      { role: 'assistant', content: [use] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }] },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'done' }] },
    ])
  })

  it('removes reminders inside tool results and keeps is_error only when true', () => {
    const messages: MessageParam[] = [
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            is_error: false,
            content: 'file body<system-reminder>malware check</system-reminder>',
          },
          { type: 'tool_result', tool_use_id: 'toolu_3', is_error: true, content: 'boom' },
        ],
      },
    ]
    assert.deepEqual(normalizeMessages(messages), [
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            content: [{ type: 'text', text: 'file body' }],
          },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_3',
            content: [{ type: 'text', text: 'boom' }],
            is_error: true,
          },
        ],
      },
    ])
  })

  it('replaces image bytes with their SHA-256', () => {
    const messages: MessageParam[] = [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
        ],
      },
    ]
    assert.deepEqual(normalizeMessages(messages), [
      {
        role: 'user',
        content: [
          {
            type: 'image',
            source: {
              type: 'base64',
              media_type: 'image/png',
              data_sha256: '63c1dd951ffedf6f7fd968ad4efa39b8ed584f162f46e715114ee184f8de9201',
            },
          },
        ],
      },
    ])
  })

  it('skips malformed entries instead of throwing', () => {
    const messages = [null, { role: 'user', content: 42 }, { role: 'user', content: [null, 'x'] }]
    assert.deepEqual(normalizeMessages(messages as unknown as MessageParam[]), [])
  })
})
