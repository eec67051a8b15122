// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SseDecoder } from './sse-decoder.ts'
import type { SseEvent } from './sse-decoder.ts'

const utf8 = new TextEncoder()

function decodeAll(...chunks: Array<string | Uint8Array>): SseEvent[] {
  const decoder = new SseDecoder()
  const events: SseEvent[] = []
  for (const chunk of chunks) {
    events.push(...decoder.push(typeof chunk === 'string' ? utf8.encode(chunk) : chunk))
  }
  events.push(...decoder.end())
  return events
}

describe('SseDecoder', () => {
  it('decodes named events and events without a name', () => {
    assert.deepEqual(decodeAll('event: ping\ndata: {"type":"ping"}\n\ndata: plain\n\n'), [
      { event: 'ping', data: '{"type":"ping"}' },
      { event: undefined, data: 'plain' },
    ])
  })

  it('accepts \\n, \\r\\n and \\r line endings, mixed in one stream', () => {
    const stream = 'event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\revent: c\ndata: 3\n\n'
    assert.deepEqual(decodeAll(stream), [
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
      { event: 'c', data: '3' },
    ])
  })

  it('treats a \\r\\n split across two chunks as one line break', () => {
    assert.deepEqual(decodeAll('data: 1\r', '\n\r', '\ndata: 2\r', '\r'), [
      { event: undefined, data: '1' },
      { event: undefined, data: '2' },
    ])
  })

  it('joins multi-line data with \\n and keeps empty data lines', () => {
    assert.deepEqual(decodeAll('data: first\ndata:\ndata:  indented\n\n'), [
      { event: undefined, data: 'first\n\n indented' },
    ])
  })

  it('skips comments, ignores id and retry, and reads fields without a space', () => {
    const stream = ': keep-alive\nid: 42\nretry: 3000\nevent:delta\ndata:{"a":1}\nunknown: x\n\n'
    assert.deepEqual(decodeAll(stream), [{ event: 'delta', data: '{"a":1}' }])
  })

  it('reads a field name alone on its line as an empty value', () => {
    assert.deepEqual(decodeAll('data\n\nevent\ndata: x\n\n'), [
      { event: undefined, data: '' },
      { event: undefined, data: 'x' },
    ])
  })

  it('dispatches nothing for a block without data, and forgets its event name', () => {
    assert.deepEqual(decodeAll('event: lonely\n\ndata: after\n\n'), [
      { event: undefined, data: 'after' },
    ])
  })

  it('keeps a character whose UTF-8 bytes are split over chunks', () => {
    const bytes = utf8.encode('data: 你好👋🏽\n\n')
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(decodeAll(bytes.subarray(0, cut), bytes.subarray(cut)), [
        { event: undefined, data: '你好👋🏽' },
      ])
    }
  })

  it('returns events from push() as soon as their blank line arrives', () => {
    const decoder = new SseDecoder()
    assert.deepEqual(decoder.push(utf8.encode('event: a\ndata: 1\n')), [])
    assert.deepEqual(decoder.push(utf8.encode('\nevent: b\n')), [{ event: 'a', data: '1' }])
  })

  it('drops an event the stream cut off before its blank line', () => {
    assert.deepEqual(decodeAll('data: 1\n\ndata: {"partial":', ''), [
      { event: undefined, data: '1' },
    ])
    assert.deepEqual(decodeAll('data: 1\n\ndata: complete line\n'), [
      { event: undefined, data: '1' },
    ])
  })

  it('strips a leading byte order mark', () => {
    assert.deepEqual(decodeAll(new Uint8Array([0xef, 0xbb, 0xbf]), 'data: x\n\n'), [
      { event: undefined, data: 'x' },
    ])
  })

  it('stays linear on one long line delivered in many small chunks', { timeout: 10_000 }, () => {
    const decoder = new SseDecoder()
    const piece = utf8.encode('x'.repeat(16))
    decoder.push(utf8.encode('data: '))
    for (let i = 0; i < 200_000; i++) decoder.push(piece)
    const [event] = decoder.push(utf8.encode('\n\n'))
    assert.equal(event?.data.length, 3_200_000)
  })
})
