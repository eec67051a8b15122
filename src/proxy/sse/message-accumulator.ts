import type { AnthropicMessage, ContentBlock } from '../../anthropic-types.ts'
import { ContentBlockBuilder } from './content-block-builder.ts'
import { isRecord, stringOr } from './json-shape.ts'
import { combineUsage, startUsage, toUsage } from './stream-usage.ts'

/** The `error` of an SSE `error` event, e.g. `{ type: 'overloaded_error', message: 'Overloaded' }`. */
export interface StreamError {
  type: string
  message: string
}

export interface AccumulatedMessage {
  /** The message as the non-streaming API would have returned it; null before message_start. */
  message: AnthropicMessage | null
  /** True once message_stop arrived; false for a stream that was cut off or failed. */
  complete: boolean
  error: StreamError | null
  /** Indices in `message.content` whose streamed tool input was not valid JSON; their `input` is the raw text. */
  unparsedToolInputs: number[]
}

/**
 * Folds parsed Messages streaming events (the JSON of each SSE `data:`) into the final
 * message. Tolerates a stream cut off anywhere: `result()` returns whatever was built.
 */
export class MessageAccumulator {
  #head: Record<string, unknown> | null = null
  #usage: Record<string, unknown> = {}
  readonly #blocks = new Map<number, ContentBlockBuilder>()
  #complete = false
  #error: StreamError | null = null

  apply(event: unknown): void {
    if (!isRecord(event)) return
    switch (event['type']) {
      case 'message_start':
        return this.#start(event['message'])
      case 'content_block_start':
        return this.#blockStart(event['index'], event['content_block'])
      case 'content_block_delta':
        return this.#blockDelta(event['index'], event['delta'])
      case 'message_delta':
        return this.#messageDelta(event)
      case 'message_stop':
        this.#complete = this.#head !== null
        return
      case 'error':
        this.#error = readError(event['error'])
        return
    }
    // ping, content_block_stop and event types newer than this code add nothing to the result.
  }

  result(): AccumulatedMessage {
    const head = this.#head
    if (head === null) {
      return { message: null, complete: false, error: this.#error, unparsedToolInputs: [] }
    }
    const content: ContentBlock[] = []
    const unparsedToolInputs: number[] = []
    for (const index of [...this.#blocks.keys()].sort((a, b) => a - b)) {
      const built = this.#blocks.get(index)?.build()
      if (built === undefined) continue
      if (built.inputUnparsed) unparsedToolInputs.push(content.length)
      content.push(built.block)
    }
    const message: AnthropicMessage = {
      ...head,
      id: stringOr(head['id'], ''),
      type: 'message',
      role: 'assistant',
      model: stringOr(head['model'], ''),
      content,
      stop_reason: stringOr(head['stop_reason'], null),
      stop_sequence: stringOr(head['stop_sequence'], null),
      usage: toUsage(this.#usage),
    }
    return { message, complete: this.#complete, error: this.#error, unparsedToolInputs }
  }

  #start(message: unknown): void {
    // A second message_start would be an upstream bug; the first one describes the stream.
    if (this.#head !== null || !isRecord(message)) return
    this.#head = { ...message }
    this.#usage = startUsage(message['usage'])
  }

  #blockStart(index: unknown, block: unknown): void {
    if (this.#head === null || !isIndex(index) || !isRecord(block)) return
    this.#blocks.set(index, new ContentBlockBuilder(block))
  }

  #blockDelta(index: unknown, delta: unknown): void {
    if (!isIndex(index) || !isRecord(delta)) return
    this.#blocks.get(index)?.apply(delta)
  }

  #messageDelta(event: Record<string, unknown>): void {
    const head = this.#head
    if (head === null) return
    const delta = event['delta']
    if (isRecord(delta)) {
      // stop_reason, stop_sequence and newer message-level fields (container, stop_details…).
      // A null never erases a value message_start already gave.
      for (const [key, value] of Object.entries(delta)) {
        if (value !== undefined && (value !== null || head[key] === undefined)) head[key] = value
      }
    }
    const contextManagement = event['context_management']
    if (contextManagement !== undefined && contextManagement !== null) {
      head['context_management'] = contextManagement
    }
    combineUsage(this.#usage, event['usage'])
  }
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

function readError(error: unknown): StreamError {
  if (!isRecord(error)) return { type: 'unknown_error', message: '' }
  return { type: stringOr(error['type'], 'unknown_error'), message: stringOr(error['message'], '') }
}
