import type { AnthropicMessage, ContentBlock, Usage } from '../../anthropic-types.ts'
import { isRecord } from './json-shape.ts'
import { MessageAccumulator } from './message-accumulator.ts'
import type { StreamError } from './message-accumulator.ts'
import { SseDecoder } from './sse-decoder.ts'
import type { SseEvent } from './sse-decoder.ts'

/** One chunk as the proxy received it from upstream, `atMs` on the recorder's clock. */
export interface RecordedChunk {
  bytes: Uint8Array
  atMs: number
}

export interface DecodedStream {
  message: AnthropicMessage | null
  usage: Usage | null
  /** True when message_stop arrived. */
  complete: boolean
  error: StreamError | null
  /** SSE events dispatched, pings included. */
  eventCount: number
  /** `atMs` of the chunk that completed the first content_block_delta. */
  firstTokenAtMs: number | null
  /** Tool calls the model made: tool_use, server_tool_use and mcp_tool_use blocks. */
  toolCallCount: number
  /** Indices in `message.content` whose tool input was not valid JSON (kept as raw text). */
  unparsedToolInputs: number[]
}

/** Rebuilds a finished Messages stream from its recorded chunks. Pure; never throws on bad input. */
export function decodeRecordedStream(chunks: ReadonlyArray<RecordedChunk>): DecodedStream {
  const decoder = new SseDecoder()
  const accumulator = new MessageAccumulator()
  let eventCount = 0
  let firstTokenAtMs: number | null = null

  const take = (events: SseEvent[], atMs: number): void => {
    for (const sse of events) {
      eventCount += 1
      const event = parseEvent(sse)
      if (event === undefined) continue
      accumulator.apply(event)
      if (firstTokenAtMs === null && event['type'] === 'content_block_delta') firstTokenAtMs = atMs
    }
  }
  for (const chunk of chunks) take(decoder.push(chunk.bytes), chunk.atMs)
  take(decoder.end(), chunks.at(-1)?.atMs ?? 0)

  const { message, complete, error, unparsedToolInputs } = accumulator.result()
  return {
    message,
    usage: message?.usage ?? null,
    complete,
    error,
    eventCount,
    firstTokenAtMs,
    toolCallCount: message === null ? 0 : countToolCalls(message.content),
    unparsedToolInputs,
  }
}

/** The JSON payload of an event; undefined when it is not a JSON object. */
function parseEvent(sse: SseEvent): Record<string, unknown> | undefined {
  let data: unknown
  try {
    data = JSON.parse(sse.data)
  } catch {
    return undefined
  }
  if (!isRecord(data)) return undefined
  // Anthropic repeats the SSE event name as `type`; trust the name when the payload omits it.
  if (data['type'] === undefined && sse.event !== undefined) data['type'] = sse.event
  return data
}

function countToolCalls(content: ContentBlock[]): number {
  return content.filter((block) => block.type === 'tool_use' || block.type.endsWith('_tool_use'))
    .length
}
