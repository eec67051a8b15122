// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MessageAccumulator } from './message-accumulator.ts'

function messageStart(usage: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message_start',
    message: {
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  }
}

function accumulate(...events: unknown[]): MessageAccumulator {
  const accumulator = new MessageAccumulator()
  for (const event of events) accumulator.apply(event)
  return accumulator
}

const textStart = {
  type: 'content_block_start',
  index: 0,
  content_block: { type: 'text', text: '' },
}

function textDelta(text: string, index = 0): Record<string, unknown> {
  return { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }
}

function jsonDelta(partial_json: string, index: number): Record<string, unknown> {
  return { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }
}

describe('MessageAccumulator usage', () => {
  it('takes the cumulative output_tokens of message_delta instead of adding', () => {
    const { message } = accumulate(messageStart({ input_tokens: 10, output_tokens: 1 }), {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 57 },
    }).result()
    assert.deepEqual(message?.usage, {
      input_tokens: 10,
      output_tokens: 57,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    })
  })

  it('replaces input and cache counters a message_delta repeats, keeping the cache split', () => {
    const { message } = accumulate(
      messageStart({
        input_tokens: 10,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 2000,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
        output_tokens: 1,
        service_tier: 'standard',
      }),
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: {
          input_tokens: 12,
          cache_creation_input_tokens: 300,
          cache_read_input_tokens: null,
          output_tokens: 57,
          server_tool_use: { web_search_requests: 2 },
        },
      },
    ).result()
    assert.deepEqual(message?.usage, {
      input_tokens: 12,
      output_tokens: 57,
      cache_creation_input_tokens: 300,
      cache_read_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      server_tool_use: { web_search_requests: 2 },
      service_tier: 'standard',
    })
  })

  it('keeps usage fields it does not interpret and leaves out typed nulls', () => {
    const { message } = accumulate(
      messageStart({
        input_tokens: 3,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        cache_creation: null,
        server_tool_use: null,
        output_tokens: 1,
        inference_geo: 'not_available',
      }),
    ).result()
    assert.deepEqual(message?.usage, {
      input_tokens: 3,
      output_tokens: 1,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      inference_geo: 'not_available',
    })
  })
})

describe('MessageAccumulator content', () => {
  it('sets stop_sequence and newer message fields from message_delta', () => {
    const { message, complete } = accumulate(
      messageStart({ input_tokens: 5, output_tokens: 1 }),
      textStart,
      textDelta('1, 2, 3'),
      {
        type: 'message_delta',
        delta: { stop_reason: 'stop_sequence', stop_sequence: '4', stop_details: null },
        usage: { output_tokens: 9 },
      },
      { type: 'message_stop' },
    ).result()
    assert.equal(complete, true)
    assert.equal(message?.stop_reason, 'stop_sequence')
    assert.equal(message?.stop_sequence, '4')
    assert.equal(message?.['stop_details'], null)
    assert.deepEqual(message?.content, [{ type: 'text', text: '1, 2, 3' }])
  })

  it('keeps unparseable tool input as the raw string and flags its index', () => {
    const result = accumulate(
      messageStart({ input_tokens: 5, output_tokens: 1 }),
      textStart,
      textDelta('Running it.'),
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'bash', input: {} },
      },
      jsonDelta('{"command": "ls -', 1),
    ).result()
    assert.equal(result.complete, false)
    assert.deepEqual(result.unparsedToolInputs, [1])
    assert.deepEqual(result.message?.content[1], {
      type: 'tool_use',
      id: 'toolu_1',
      name: 'bash',
      input: '{"command": "ls -',
    })
  })

  it('keeps the input of a tool block that streamed no JSON at all', () => {
    const start = {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'x', input: { a: 1 } },
    }
    const { message } = accumulate(messageStart({}), start).result()
    assert.deepEqual(message?.content, [
      { type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'x', input: { a: 1 } },
    ])
  })

  it('ignores deltas that do not fit their block, unknown events and junk', () => {
    const { message } = accumulate(
      messageStart({ input_tokens: 5, output_tokens: 1 }),
      'not an event',
      null,
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'early' } },
      textStart,
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'x' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'future_delta', value: 1 } },
      { type: 'content_block_delta', index: -1, delta: { type: 'text_delta', text: 'bad' } },
      { type: 'future_event', index: 0 },
      textDelta('kept'),
    ).result()
    assert.deepEqual(message?.content, [{ type: 'text', text: 'kept' }])
  })

  it('records an error that arrives before message_start', () => {
    const result = accumulate({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    }).result()
    assert.deepEqual(result, {
      message: null,
      complete: false,
      error: { type: 'overloaded_error', message: 'Overloaded' },
      unparsedToolInputs: [],
    })
  })

  it('does not count message_stop without message_start as complete', () => {
    assert.equal(accumulate({ type: 'message_stop' }).result().complete, false)
  })
})
