import { stripSystemReminders } from '../conversations/system-reminders.ts'
import { isRecord, type JsonRecord } from '../conversations/records.ts'
import type { RequestRecord } from '../storage/request-record.ts'

/** What a Slack message says about one inference turn; built from the stored record. */
export interface TurnSummary {
  requestId: string
  domain: string
  accountId: string | null
  model: string | null
  /** The last user message's own text, reminders removed; null for a tool-results-only turn. */
  userText: string | null
  answerText: string | null
  toolCalls: string[]
  tokens: { input: number; output: number; cacheWrite: number; cacheRead: number }
  costUsd: number | null
  error: { status: number | null; type: string | null; message: string } | null
}

/**
 * Reads a record's (already redacted) request and response bodies. Never throws: bodies are
 * untrusted JSON and a summary with fewer parts is still worth sending.
 */
export function summarizeTurn(record: RequestRecord): TurnSummary {
  const request = parse(record.bodyJson)
  const response = parse(record.responseJson)
  const content = Array.isArray(response?.content) ? response.content.filter(isRecord) : []
  const failed = isFailure(record)
  return {
    requestId: record.requestId,
    domain: record.domain,
    accountId: record.accountId,
    model: record.model,
    userText: lastUserText(request),
    answerText: joined(content.filter((b) => b.type === 'text').map((b) => String(b.text ?? ''))),
    toolCalls: content
      .filter((b) => typeof b.type === 'string' && b.type.endsWith('tool_use'))
      .map(toolLine),
    tokens: {
      input: record.inputTokens,
      output: record.outputTokens,
      cacheWrite: record.cacheCreationInputTokens,
      cacheRead: record.cacheReadInputTokens,
    },
    costUsd: record.costUsd ?? null,
    error: failed
      ? {
          status: record.statusCode,
          type: record.errorType,
          message: record.error ?? `HTTP ${record.statusCode ?? 'error'}`,
        }
      : null,
  }
}

/** A request failed when upstream or the proxy said so, or its stream broke off. */
export function isFailure(record: RequestRecord): boolean {
  return (
    record.error !== null ||
    record.statusCode === null ||
    record.statusCode >= 400 ||
    record.streamEnd === 'upstream_error' ||
    record.streamEnd === 'timeout'
  )
}

function lastUserText(request: JsonRecord | undefined): string | null {
  const messages = Array.isArray(request?.messages) ? request.messages.filter(isRecord) : []
  const last = messages.findLast((m) => m.role === 'user')
  if (!last) return null
  const content = last.content
  if (typeof content === 'string') return joined([content])
  if (!Array.isArray(content)) return null
  return joined(
    content
      .filter(isRecord)
      .flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : [])),
  )
}

function joined(texts: string[]): string | null {
  const text = texts
    .map((t) => stripSystemReminders(t).trim())
    .filter(Boolean)
    .join('\n\n')
  return text === '' ? null : text
}

// The input field that says most about a call, for Claude Code's tools and most others.
const TELLING_FIELDS = [
  'command',
  'file_path',
  'path',
  'pattern',
  'url',
  'query',
  'description',
  'prompt',
  'skill',
]

function toolLine(block: JsonRecord): string {
  const name = typeof block.name === 'string' ? block.name : 'tool'
  const input = isRecord(block.input) ? block.input : {}
  const field = TELLING_FIELDS.find((f) => typeof input[f] === 'string' && input[f] !== '')
  const detail = field
    ? String(input[field])
    : Object.keys(input).length > 0
      ? JSON.stringify(input)
      : ''
  const oneLine = detail.replace(/\s+/g, ' ').trim()
  return oneLine ? `${name}: ${oneLine}` : name
}

function parse(json: string | null): JsonRecord | undefined {
  if (json === null) return undefined
  try {
    const value: unknown = JSON.parse(json)
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}
