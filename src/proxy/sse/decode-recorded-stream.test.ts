// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeRecordedStream } from './decode-recorded-stream.ts'
import type { DecodedStream, RecordedChunk } from './decode-recorded-stream.ts'
import { listSseFixtures, readSseFixture } from './fixtures.ts'
import { SseDecoder } from './sse-decoder.ts'
import type { SseEvent } from './sse-decoder.ts'

type Expected = Omit<DecodedStream, 'firstTokenAtMs'>

const NO_CACHE_SPLIT = { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }

const TEXT =
  'Hello 👋🏽! In Chinese: 你好，世界. In Japanese: こんにちは 🌸\nCafé "naïve" résumé — done ✅'

const SIGNATURE =
  'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds1Vp2v2ynhpCzIBdYnAOhvKRBs6xjdq1NBn6GFD9' +
  'wJA4TKBqP8gG8y6cNqEMKDbuWCo7PG1wkSdJ58mwACiKEkuIsvkJS6LZVPHpA8wNIgYAY9MjMlo4X0f1gUcvrOQSTGUr' +
  'fBkF8srx3KQp6u3kuf8TZ9KwR7YFBpA=='

function message(fields: Record<string, unknown>): Record<string, unknown> {
  return { type: 'message', role: 'assistant', stop_sequence: null, ...fields }
}

const expected: Record<string, { eventNames: string[]; result: Expected }> = {
  text: {
    eventNames: [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ],
    result: textResult(),
  },
  'thinking-tool-use': {
    eventNames: [
      'message_start',
      ...['content_block_start', 'content_block_delta', 'content_block_delta'],
      ...['content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_stop'],
      ...[
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
      ],
      ...['content_block_start', 'content_block_delta', 'content_block_delta'],
      ...[
        'content_block_delta',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
      ],
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      'message_delta',
      'message_stop',
    ],
    result: thinkingToolUseResult(),
  },
  'server-tool': {
    eventNames: [
      'message_start',
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_delta', 'content_block_delta'],
      ...['content_block_delta', 'content_block_stop'],
      ...['content_block_start', 'content_block_stop'],
      ...[
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
      ],
      ...['content_block_start', 'content_block_delta', 'content_block_stop'],
      'message_delta',
      'message_stop',
    ],
    result: serverToolResult(),
  },
  'error-midstream': {
    eventNames: [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'ping',
      'content_block_delta',
      'error',
    ],
    result: errorMidstreamResult(),
  },
  'cache-usage': {
    eventNames: [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ],
    result: cacheUsageResult(),
  },
}

function textResult(): Expected {
  const usage = {
    input_tokens: 21,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: NO_CACHE_SPLIT,
    output_tokens: 32,
    service_tier: 'standard',
  }
  return {
    message: message({
      id: 'msg_01HCkX9bLxQZ3rYqSQXvK7nE',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: TEXT }],
      stop_reason: 'end_turn',
      usage,
    }) as Expected['message'],
    usage,
    complete: true,
    error: null,
    eventCount: 10,
    toolCallCount: 0,
    unparsedToolInputs: [],
  }
}

function thinkingToolUseResult(): Expected {
  const usage = {
    input_tokens: 412,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: NO_CACHE_SPLIT,
    output_tokens: 187,
    service_tier: 'standard',
  }
  const content = [
    {
      type: 'thinking',
      thinking:
        'The user wants the weather in San Francisco and the local time there.\n' +
        'I should call get_weather in celsius, then get_time.',
      signature: SIGNATURE,
    },
    {
      type: 'redacted_thinking',
      data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj',
    },
    { type: 'text', text: "I'll check the weather and the time for you." },
    {
      type: 'tool_use',
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_weather',
      input: { location: 'San Francisco, CA', unit: 'celsius' },
    },
    { type: 'tool_use', id: 'toolu_01CsbS3n5bYDL7sRQx5AWLTm', name: 'get_time', input: {} },
  ]
  return {
    message: message({
      id: 'msg_01Aq9w938a90dw8qZLFiCnWq',
      model: 'claude-sonnet-4-5-20250929',
      content,
      stop_reason: 'tool_use',
      usage,
    }) as Expected['message'],
    usage,
    complete: true,
    error: null,
    eventCount: 24,
    toolCallCount: 2,
    unparsedToolInputs: [],
  }
}

function serverToolResult(): Expected {
  const usage = {
    input_tokens: 10682,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: NO_CACHE_SPLIT,
    output_tokens: 510,
    service_tier: 'standard',
    server_tool_use: { web_search_requests: 1 },
  }
  const content = [
    { type: 'text', text: "I'll search for when Claude Shannon was born." },
    {
      type: 'server_tool_use',
      id: 'srvtoolu_014hJH82Qum7Td6UV8gDXThB',
      name: 'web_search',
      input: { query: 'claude shannon birth date' },
    },
    {
      type: 'web_search_tool_result',
      tool_use_id: 'srvtoolu_014hJH82Qum7Td6UV8gDXThB',
      content: [
        {
          type: 'web_search_result',
          title: 'Claude Shannon - Wikipedia',
          url: 'https://en.wikipedia.org/wiki/Claude_Shannon',
          encrypted_content: 'EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNC1kNjNjNTk1ZWI3Y2YSDAq',
          page_age: 'April 30, 2025',
        },
      ],
    },
    {
      type: 'text',
      text: 'Claude Shannon was born on April 30, 1916',
      citations: [
        {
          type: 'web_search_result_location',
          cited_text:
            'Claude Elwood Shannon (April 30, 1916 – February 24, 2001) was an American ' +
            'mathematician, electrical engineer, computer scientist, cryptographer and inventor ' +
            'known as the "father of information theory". ',
          url: 'https://en.wikipedia.org/wiki/Claude_Shannon',
          title: 'Claude Shannon - Wikipedia',
          encrypted_index: 'Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm',
        },
      ],
    },
    { type: 'text', text: ', in Petoskey, Michigan.' },
  ]
  return {
    message: message({
      id: 'msg_01G6KB4vdqCT6Zq1LqZ5Hy7N',
      model: 'claude-sonnet-4-5-20250929',
      content,
      stop_reason: 'end_turn',
      usage,
    }) as Expected['message'],
    usage,
    complete: true,
    error: null,
    eventCount: 20,
    toolCallCount: 1,
    unparsedToolInputs: [],
  }
}

function errorMidstreamResult(): Expected {
  const usage = {
    input_tokens: 1893,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: NO_CACHE_SPLIT,
    output_tokens: 2,
    service_tier: 'standard',
  }
  return {
    message: message({
      id: 'msg_01NQ2qMZ6WgpbP3zWkWhHjSt',
      model: 'claude-opus-4-1-20250805',
      content: [{ type: 'text', text: 'Here is how quantum computers (量子コンピュータ) work:' }],
      stop_reason: null,
      usage,
    }) as Expected['message'],
    usage,
    complete: false,
    error: { type: 'overloaded_error', message: 'Overloaded' },
    eventCount: 6,
    toolCallCount: 0,
    unparsedToolInputs: [],
  }
}

function cacheUsageResult(): Expected {
  const usage = {
    input_tokens: 4,
    cache_creation_input_tokens: 3210,
    cache_read_input_tokens: 18044,
    cache_creation: { ephemeral_5m_input_tokens: 1024, ephemeral_1h_input_tokens: 2186 },
    output_tokens: 57,
    service_tier: 'standard',
  }
  return {
    message: message({
      id: 'msg_01Wy4sDEpfjXc3PUWHjVPfZo',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'Both files are now in context. Ask away.' }],
      stop_reason: 'end_turn',
      usage,
    }) as Expected['message'],
    usage,
    complete: true,
    error: null,
    eventCount: 8,
    toolCallCount: 0,
    unparsedToolInputs: [],
  }
}

function decodeEvents(chunks: Uint8Array[]): SseEvent[] {
  const decoder = new SseDecoder()
  const events = chunks.flatMap((chunk) => decoder.push(chunk))
  return [...events, ...decoder.end()]
}

function recorded(chunks: Uint8Array[]): RecordedChunk[] {
  return chunks.map((bytes, atMs) => ({ bytes, atMs }))
}

function withoutTiming(result: DecodedStream): Expected {
  const rest: Partial<DecodedStream> = { ...result }
  delete rest.firstTokenAtMs
  return rest as Expected
}

function oneByteChunks(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
}

/** Offset of the byte that completes the first content_block_delta event (its blank line). */
function firstDeltaEnd(bytes: Buffer): number {
  return bytes.indexOf('\n\n', bytes.indexOf('event: content_block_delta')) + 1
}

function withLineBreak(bytes: Buffer, lineBreak: string): Buffer {
  return Buffer.from(bytes.toString('utf8').replaceAll('\n', lineBreak), 'utf8')
}

describe('SSE fixtures', () => {
  it('lists every recorded transcript and refuses names outside the folder', () => {
    assert.deepEqual(listSseFixtures(), [
      'cache-usage',
      'error-midstream',
      'server-tool',
      'text',
      'thinking-tool-use',
    ])
    assert.equal(readSseFixture('text.sse').equals(readSseFixture('text')), true)
    assert.throws(() => readSseFixture('../sse-decoder.ts'), /not an SSE fixture name/)
  })

  it('decodes the text transcript into these exact events', () => {
    const events = decodeEvents([readSseFixture('text')])
    const delta = (text: string): SseEvent => ({
      event: 'content_block_delta',
      data: `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}}`,
    })
    const ping = { event: 'ping', data: '{"type": "ping"}' }
    assert.equal(events[0]?.event, 'message_start')
    assert.deepEqual(events.slice(1), [
      {
        event: 'content_block_start',
        data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
      },
      ping,
      delta('Hello 👋🏽! In Chinese: 你好，世界'),
      delta('. In Japanese: こんにちは 🌸\\nCafé '),
      ping,
      delta('\\"naïve\\" résumé — done ✅'),
      { event: 'content_block_stop', data: '{"type":"content_block_stop","index":0}' },
      {
        event: 'message_delta',
        data: '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":32}}',
      },
      { event: 'message_stop', data: '{"type":"message_stop"}' },
    ])
  })
})

for (const [name, { eventNames, result }] of Object.entries(expected)) {
  describe(`fixture ${name}.sse`, () => {
    const bytes = readSseFixture(name)
    const events = decodeEvents([bytes])

    it('decodes to the expected events, each naming its own type', () => {
      assert.deepEqual(
        events.map((event) => event.event),
        eventNames,
      )
      for (const event of events) {
        assert.equal((JSON.parse(event.data) as { type: string }).type, event.event)
      }
    })

    it('accumulates the expected message', () => {
      const decoded = decodeRecordedStream([{ bytes, atMs: 120 }])
      assert.deepEqual(withoutTiming(decoded), result)
      assert.equal(decoded.firstTokenAtMs, 120)
    })

    it('gives the same events and message when split in two at every byte', () => {
      const deltaEnd = firstDeltaEnd(bytes)
      for (let cut = 0; cut <= bytes.length; cut++) {
        const halves = [bytes.subarray(0, cut), bytes.subarray(cut)]
        assert.deepEqual(decodeEvents(halves), events, `cut at ${cut}`)
        const decoded = decodeRecordedStream(recorded(halves))
        assert.deepEqual(withoutTiming(decoded), result, `cut at ${cut}`)
        assert.equal(decoded.firstTokenAtMs, cut > deltaEnd ? 0 : 1, `cut at ${cut}`)
      }
    })

    it('gives the same events and message from 1-byte chunks', () => {
      const chunks = oneByteChunks(bytes)
      assert.deepEqual(decodeEvents(chunks), events)
      const decoded = decodeRecordedStream(recorded(chunks))
      assert.deepEqual(withoutTiming(decoded), result)
      assert.equal(decoded.firstTokenAtMs, firstDeltaEnd(bytes))
    })

    for (const [label, lineBreak] of [
      ['\\r\\n', '\r\n'],
      ['\\r', '\r'],
    ] as const) {
      it(`gives the same events with ${label} line breaks, split at every byte`, () => {
        const variant = withLineBreak(bytes, lineBreak)
        for (let cut = 0; cut <= variant.length; cut++) {
          const halves = [variant.subarray(0, cut), variant.subarray(cut)]
          assert.deepEqual(decodeEvents(halves), events, `cut at ${cut}`)
        }
        assert.deepEqual(decodeEvents(oneByteChunks(variant)), events)
      })
    }

    it('never reports a stream cut short as complete', () => {
      for (let cut = 0; cut < bytes.length; cut++) {
        const decoded = decodeRecordedStream([{ bytes: bytes.subarray(0, cut), atMs: 0 }])
        assert.equal(decoded.complete, false, `cut at ${cut}`)
        assert.ok(decoded.eventCount <= events.length)
      }
    })
  })
}

describe('truncated streams', () => {
  it('keeps the text received before a cut in the middle of an event', () => {
    const bytes = readSseFixture('text')
    const cut = bytes.indexOf('naïve')
    const decoded = decodeRecordedStream([{ bytes: bytes.subarray(0, cut), atMs: 5 }])
    const full = textResult()
    assert.deepEqual(withoutTiming(decoded), {
      ...full,
      message: {
        ...full.message,
        content: [
          {
            type: 'text',
            text: 'Hello 👋🏽! In Chinese: 你好，世界. In Japanese: こんにちは 🌸\nCafé ',
          },
        ],
        stop_reason: null,
        usage: { ...full.usage, output_tokens: 1 },
      },
      usage: { ...full.usage, output_tokens: 1 },
      complete: false,
      eventCount: 6,
    })
    assert.equal(decoded.firstTokenAtMs, 5)
  })

  it('keeps every text prefix while the stream is cut at each byte', () => {
    const bytes = readSseFixture('text')
    for (let cut = 0; cut < bytes.length; cut++) {
      const { message } = decodeRecordedStream([{ bytes: bytes.subarray(0, cut), atMs: 0 }])
      const block = message?.content[0]
      const text = block !== undefined && 'text' in block ? block.text : ''
      assert.ok(typeof text === 'string' && TEXT.startsWith(text), `cut at ${cut}`)
    }
  })

  it('keeps half-streamed tool input as raw text and flags it', () => {
    const bytes = readSseFixture('thinking-tool-use')
    const cut = bytes.indexOf('ncisco, CA')
    const decoded = decodeRecordedStream([{ bytes: bytes.subarray(0, cut), atMs: 0 }])
    assert.equal(decoded.complete, false)
    assert.equal(decoded.toolCallCount, 1)
    assert.deepEqual(decoded.unparsedToolInputs, [3])
    assert.deepEqual(decoded.message?.content[3], {
      type: 'tool_use',
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_weather',
      input: '{"location": "San Fra',
    })
  })

  it('returns an empty result for a stream without any event', () => {
    assert.deepEqual(decodeRecordedStream([]), {
      message: null,
      usage: null,
      complete: false,
      error: null,
      eventCount: 0,
      firstTokenAtMs: null,
      toolCallCount: 0,
      unparsedToolInputs: [],
    })
  })
})
