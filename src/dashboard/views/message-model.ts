import type { MessageParam } from '../../anthropic-types.ts'
import { normalizeContent, type NormalizedBlock } from '../../conversations/normalize-block.ts'
import {
  normalizeMessages,
  type NormalizedMessage,
} from '../../conversations/normalize-messages.ts'

/** What the detail page shows of a request's conversation: the model's view, noise removed. */
export interface MessageModel {
  system: string | null
  messages: NormalizedMessage[]
  /** The answer's content blocks (from the stored response). */
  response: NormalizedBlock[]
  /** tool_use id → its tool_result (calls present in the conversation only), rendered together. */
  results: Map<string, NormalizedBlock>
  hiddenReminders: number
  hiddenDuplicates: number
}

const REMINDER = /<system-reminder\b[^>]*>[\s\S]*?<\/system-reminder\s*>/g

/**
 * Reuses the conversation engine's normalisation (src/conversations): reminders removed,
 * repeated tool_use/tool_result blocks dropped, same-role turns merged. Counts what was
 * hidden so the page can say so; the raw JSON stays one click away.
 */
export function buildMessageModel(body: unknown, responseBody: unknown): MessageModel {
  const request = isRecord(body) ? body : {}
  const raw = Array.isArray(request.messages) ? (request.messages as MessageParam[]) : []
  const messages = normalizeMessages(raw)
  const response = isRecord(responseBody) ? normalizeContent(responseBody.content) : []
  const calls = new Set<string>()
  for (const m of messages)
    for (const b of m.content) if (isCall(b) && typeof b.id === 'string') calls.add(b.id)
  // Only results whose call is in the conversation are paired; others render where they are.
  const results = new Map<string, NormalizedBlock>()
  for (const m of messages) {
    for (const b of m.content) {
      const id = b.tool_use_id
      if (b.type === 'tool_result' && typeof id === 'string' && calls.has(id)) results.set(id, b)
    }
  }
  return {
    system: systemText(request.system),
    messages,
    response,
    results,
    hiddenReminders: countReminders(raw),
    hiddenDuplicates: Math.max(0, countToolBlocks(raw) - countNormalizedToolBlocks(messages)),
  }
}

function systemText(system: unknown): string | null {
  if (typeof system === 'string') return system
  if (!Array.isArray(system)) return null
  const parts = system
    .map((b) => (isRecord(b) && typeof b.text === 'string' ? b.text : ''))
    .filter(Boolean)
  return parts.length > 0 ? parts.join('\n\n') : null
}

function countReminders(messages: readonly unknown[]): number {
  return JSON.stringify(messages).match(REMINDER)?.length ?? 0
}

function countToolBlocks(messages: readonly unknown[]): number {
  let n = 0
  for (const m of messages) {
    if (!isRecord(m) || !Array.isArray(m.content)) continue
    for (const b of m.content)
      if (isRecord(b) && (b.type === 'tool_use' || b.type === 'tool_result')) n++
  }
  return n
}

function countNormalizedToolBlocks(messages: readonly NormalizedMessage[]): number {
  let n = 0
  for (const m of messages)
    for (const b of m.content) if (b.type === 'tool_use' || b.type === 'tool_result') n++
  return n
}

function isCall(b: NormalizedBlock): boolean {
  return b.type === 'tool_use' || b.type === 'server_tool_use'
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
