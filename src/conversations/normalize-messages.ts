import type { MessageParam } from '../anthropic-types.ts'
import { normalizeContent, type NormalizedBlock } from './normalize-block.ts'
import { isRecord } from './records.ts'

export interface NormalizedMessage {
  role: 'user' | 'assistant'
  content: NormalizedBlock[]
}

interface SeenIds {
  toolUse: Set<string>
  toolResult: Set<string>
}

/**
 * The conversation as the model saw it, minus everything that changes between turns without
 * the conversation changing (README.md lists the rules). Consecutive turns of the same role
 * are merged, as the API itself does, so "minus the last two messages" always means "minus
 * the last exchange".
 */
export function normalizeMessages(messages: readonly MessageParam[]): NormalizedMessage[] {
  const seen: SeenIds = { toolUse: new Set(), toolResult: new Set() }
  const out: NormalizedMessage[] = []
  for (const message of messages) {
    if (!isRecord(message)) continue
    const { role } = message
    // role:"system" entries (Claude Code ≥ 2.1) are instructions, not conversation.
    if (role !== 'user' && role !== 'assistant') continue
    const content = normalizeContent(message.content).filter((block) => firstSighting(block, seen))
    const last = out.at(-1)
    if (content.length === 0) {
      if (role === 'user' && last?.role === 'assistant' && onlyReminders(message.content)) {
        out.push({ role, content: [{ ...REMINDER_TURN }] })
      }
      continue
    }
    if (last?.role !== role) out.push({ role, content })
    else if (isReminderTurn(last)) last.content = content
    else last.content.push(...content)
  }
  return out
}

/**
 * What a user turn made only of `<system-reminder>` blocks becomes: Claude Code sends one when
 * a background task finishes (the task notification). Its text is dropped like every
 * reminder, but the turn stays, or the assistant turns around it would merge and the next
 * request's parent hash would match nothing. A user message that follows replaces it, so a
 * reminder-only message before a real one changes nothing.
 */
export const REMINDER_TURN: NormalizedBlock = { type: 'system_reminder_turn' }

function isReminderTurn(message: NormalizedMessage): boolean {
  return message.content.length === 1 && message.content[0]?.type === REMINDER_TURN.type
}

// Empty content or an empty text is no turn at all; only reminders make one.
function onlyReminders(content: unknown): boolean {
  return JSON.stringify(content ?? '').includes('<system-reminder')
}

// Claude Code sometimes repeats a tool_use or tool_result it already sent; only the first
// occurrence is part of the conversation.
function firstSighting(block: NormalizedBlock, seen: SeenIds): boolean {
  const ids = idSetFor(block, seen)
  const id = block.type === 'tool_result' ? block.tool_use_id : block.id
  if (ids === undefined || typeof id !== 'string') return true
  if (ids.has(id)) return false
  ids.add(id)
  return true
}

function idSetFor(block: NormalizedBlock, seen: SeenIds): Set<string> | undefined {
  if (block.type === 'tool_use' || block.type === 'server_tool_use') return seen.toolUse
  if (block.type === 'tool_result') return seen.toolResult
  return undefined
}
