import type { MessageParam, TextBlock } from '../anthropic-types.ts'
import { isRecord, stringField, type JsonRecord } from './records.ts'

/** The fields of a Messages API request body that classification and linking read. */
export interface MessagesRequest {
  messages: MessageParam[]
  system: string | TextBlock[] | undefined
  maxTokens: number | undefined
  hasTools: boolean
}

/** Reads a parsed request body; undefined when it has no `messages` array. */
export function readMessagesBody(body: unknown): MessagesRequest | undefined {
  if (!isRecord(body) || !Array.isArray(body.messages)) return undefined
  return {
    messages: body.messages.filter(isMessage),
    system: readSystem(body.system),
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    hasTools: Array.isArray(body.tools) && body.tools.length > 0,
  }
}

function isMessage(value: unknown): value is MessageParam {
  if (!isRecord(value)) return false
  return value.role === 'user' || value.role === 'assistant' || value.role === 'system'
}

function readSystem(system: unknown): string | TextBlock[] | undefined {
  if (typeof system === 'string') return system
  if (!Array.isArray(system)) return undefined
  return system.filter(isRecord).flatMap(toTextBlock)
}

function toTextBlock(block: JsonRecord): TextBlock[] {
  const text = stringField(block, 'text')
  return block.type === 'text' && text !== undefined ? [{ type: 'text', text }] : []
}
