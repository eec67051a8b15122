import type { Usage } from '../anthropic-types.ts'

/** One line of a Claude Code transcript, as far as the import reads it. */
export type TranscriptLine = AssistantLine | ChainLine | SkippedLine | MalformedLine

/** A line of an assistant message: one content block of one API response. */
export interface AssistantLine {
  kind: 'assistant'
  uuid: string
  parentUuid: string | null
  messageId: string
  requestId: string | null
  model: string
  sessionId: string | null
  agentId: string | null
  isSidechain: boolean
  timestamp: string
  usage: Partial<Usage>
  content: unknown[]
  stopReason: string | null
  /** Claude Code's own placeholder (model `<synthetic>`, API error notices): no API call. */
  synthetic: boolean
}

/** Any other line with a uuid: a user turn, tool result, attachment, compact boundary. */
export interface ChainLine {
  kind: 'chain'
  uuid: string
  /** parentUuid, or for a compact boundary (which has none) the logicalParentUuid. */
  parentUuid: string | null
  /** The text of a user message, for the first prompt of a sub-agent. */
  userContent: unknown
  isSidechain: boolean
}

/** Lines that take no part: summaries, queue operations, modes, last-prompt markers. */
export interface SkippedLine {
  kind: 'skipped'
}

export interface MalformedLine {
  kind: 'malformed'
  reason: string
}

type Json = Record<string, unknown>

/** Parses one line (without its newline). Never throws: bad input is `malformed`. */
export function parseTranscriptLine(text: string): TranscriptLine {
  if (text.trim() === '') return { kind: 'skipped' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { kind: 'malformed', reason: 'not JSON' }
  }
  if (!isObject(value)) return { kind: 'malformed', reason: 'not a JSON object' }
  if (value.type === 'assistant') return assistantLine(value)
  const uuid = stringOr(value.uuid, null)
  if (uuid === null) return { kind: 'skipped' }
  return {
    kind: 'chain',
    uuid,
    parentUuid: stringOr(value.parentUuid, null) ?? stringOr(value.logicalParentUuid, null),
    userContent: value.type === 'user' && isObject(value.message) ? value.message.content : null,
    isSidechain: value.isSidechain === true,
  }
}

function assistantLine(line: Json): AssistantLine | MalformedLine {
  const message = line.message
  if (!isObject(message)) return { kind: 'malformed', reason: 'assistant line without message' }
  const uuid = stringOr(line.uuid, null)
  const messageId = stringOr(message.id, null)
  const timestamp = stringOr(line.timestamp, null)
  if (uuid === null) return { kind: 'malformed', reason: 'assistant line without uuid' }
  if (messageId === null) return { kind: 'malformed', reason: 'assistant message without id' }
  if (timestamp === null || Number.isNaN(Date.parse(timestamp))) {
    return { kind: 'malformed', reason: 'assistant line without a valid timestamp' }
  }
  const model = stringOr(message.model, '')
  return {
    kind: 'assistant',
    uuid,
    parentUuid: stringOr(line.parentUuid, null),
    messageId,
    requestId: stringOr(line.requestId, null),
    model,
    sessionId: stringOr(line.sessionId, null),
    agentId: stringOr(line.agentId, null),
    isSidechain: line.isSidechain === true,
    timestamp: new Date(timestamp).toISOString(),
    usage: isObject(message.usage) ? (message.usage as Partial<Usage>) : {},
    content: Array.isArray(message.content) ? message.content : [],
    stopReason: stringOr(message.stop_reason, null),
    synthetic: model === '<synthetic>' || line.isApiErrorMessage === true || model === '',
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringOr<T extends string | null>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value !== '' ? value : fallback
}
