import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: Buffer
}

/** What the mock answers; a test can script any of these per request. */
export type MockReply =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | {
      kind: 'sse'
      /** Raw bytes of the stream, sent in `chunks` pieces (split anywhere, mid-character too). */
      stream: Buffer
      splitAt?: number[]
      delayMs?: number
      /** Destroy the socket after this many bytes: an upstream crash mid-stream. */
      resetAfterBytes?: number
      headers?: Record<string, string>
    }
  /** Bytes as they are, e.g. a Message Batches results file (JSONL). */
  | { kind: 'raw'; contentType: string; body: string | Buffer; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'hang' }

export type MockHandler = (req: ReceivedRequest, body: unknown) => MockReply | undefined

/**
 * A loopback stand-in for the Anthropic API that speaks its wire format and records every
 * request it gets. Default answers: a text message (JSON or SSE as asked), count_tokens,
 * models. Tests install a handler to script anything else.
 */
export class MockAnthropic {
  readonly received: ReceivedRequest[] = []
  handler: MockHandler | undefined
  #server: Server | undefined

  async start(port = 0): Promise<string> {
    this.#server = createServer((req, res) => this.#onRequest(req, res))
    this.#server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve))
    return this.url
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo
    return `http://127.0.0.1:${address.port}`
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections()
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve())
  }

  #onRequest(req: IncomingMessage, res: ServerResponse) {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts),
      }
      this.received.push(received)
      const body = parseJson(received.body)
      const reply = this.handler?.(received, body) ?? defaultReply(received, body)
      void sendReply(res, reply)
    })
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
}

const COMMON_HEADERS = {
  'anthropic-ratelimit-requests-limit': '4000',
  'anthropic-ratelimit-requests-remaining': '3999',
  'anthropic-ratelimit-requests-reset': '2026-11-25T12:00:00Z',
}

async function sendReply(res: ServerResponse, reply: MockReply): Promise<void> {
  const requestId = `req_mock_${randomUUID().slice(0, 8)}`
  if (reply.kind === 'reset') return void res.socket?.destroy()
  if (reply.kind === 'hang') return
  if (reply.kind === 'raw') {
    res.writeHead(200, {
      'content-type': reply.contentType,
      'request-id': requestId,
      ...COMMON_HEADERS,
      ...reply.headers,
    })
    res.end(reply.body)
    return
  }
  if (reply.kind === 'json') {
    const payload = JSON.stringify(reply.body)
    res.writeHead(reply.status ?? 200, {
      'content-type': 'application/json',
      'request-id': requestId,
      ...COMMON_HEADERS,
      ...reply.headers,
    })
    res.end(payload)
    return
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId,
    ...COMMON_HEADERS,
    ...reply.headers,
  })
  res.flushHeaders()
  const cuts = [0, ...(reply.splitAt ?? []).toSorted((a, b) => a - b), reply.stream.length]
  let sent = 0
  for (let i = 0; i + 1 < cuts.length; i++) {
    let piece = reply.stream.subarray(cuts[i], cuts[i + 1])
    if (reply.resetAfterBytes !== undefined && sent + piece.length > reply.resetAfterBytes) {
      piece = piece.subarray(0, reply.resetAfterBytes - sent)
      if (piece.length > 0) res.write(piece)
      await new Promise((r) => setTimeout(r, 20))
      res.socket?.destroy()
      return
    }
    res.write(piece)
    sent += piece.length
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs))
  }
  res.end()
}

function defaultReply(req: ReceivedRequest, body: unknown): MockReply {
  const path = req.url.split('?')[0]
  if (path === '/v1/messages/count_tokens') {
    return { kind: 'json', body: { input_tokens: JSON.stringify(body ?? '').length } }
  }
  if (path === '/v1/models') {
    return {
      kind: 'json',
      body: {
        data: [
          {
            type: 'model',
            id: 'claude-sonnet-4-5-20250929',
            display_name: 'Claude Sonnet 4.5',
            created_at: '2025-09-29T00:00:00Z',
          },
        ],
        has_more: false,
        first_id: 'claude-sonnet-4-5-20250929',
        last_id: 'claude-sonnet-4-5-20250929',
      },
    }
  }
  if (path === '/v1/messages' && req.method === 'POST') {
    const request = body as { model?: string; stream?: boolean } | undefined
    const message = textMessage(
      request?.model ?? 'claude-sonnet-4-5-20250929',
      'Hello from the mock.',
    )
    if (request?.stream) return { kind: 'sse', stream: Buffer.from(sseForMessage(message)) }
    return { kind: 'json', body: message }
  }
  return {
    kind: 'json',
    status: 404,
    body: { type: 'error', error: { type: 'not_found_error', message: `mock: no route ${path}` } },
  }
}

export interface MockMessage {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: Array<Record<string, unknown>>
  stop_reason: string
  stop_sequence: null
  usage: {
    input_tokens: number
    output_tokens: number
    cache_creation_input_tokens: number
    cache_read_input_tokens: number
  }
}

export function textMessage(
  model: string,
  text: string,
  usage?: Partial<MockMessage['usage']>,
): MockMessage {
  return {
    id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 12,
      output_tokens: 7,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      ...usage,
    },
  }
}

/** The SSE stream the real API sends for `message`, text and tool_use blocks included. */
export function sseForMessage(message: MockMessage): string {
  const events: Array<[string, unknown]> = []
  const start = {
    ...message,
    content: [],
    stop_reason: null,
    usage: { ...message.usage, output_tokens: 1 },
  }
  events.push(['message_start', { type: 'message_start', message: start }])
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push([
        'content_block_start',
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      ])
      events.push(['ping', { type: 'ping' }])
      const text = String(block.text)
      const half = Math.ceil(text.length / 2)
      for (const part of [text.slice(0, half), text.slice(half)]) {
        if (part)
          events.push([
            'content_block_delta',
            { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } },
          ])
      }
    } else if (block.type === 'tool_use') {
      events.push([
        'content_block_start',
        { type: 'content_block_start', index, content_block: { ...block, input: {} } },
      ])
      const json = JSON.stringify(block.input)
      const cut = Math.floor(json.length / 2)
      for (const part of [json.slice(0, cut), json.slice(cut)]) {
        events.push([
          'content_block_delta',
          {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: part },
          },
        ])
      }
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }])
  })
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens: message.usage.output_tokens },
    },
  ])
  events.push(['message_stop', { type: 'message_stop' }])
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('')
}
