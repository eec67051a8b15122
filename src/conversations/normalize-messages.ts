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
    if (content.length === 0) continue
    const last = out.at(-1)
    if (last?.role === role) last.content.push(...content)
    else out.push({ role, content })
  }
  return out
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
