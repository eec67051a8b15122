import type { ContentBlock, MessageParam } from '../anthropic-types.ts'
import { textsOf } from './message-text.ts'
import { normalizeMessages } from './normalize-messages.ts'
import { isRecord, stringField } from './records.ts'

/** `Agent` in current Claude Code, `Task` in versions before 2.1. */
export type SubagentToolName = 'Agent' | 'Task'

export interface SpawnedAgent {
  toolUseId: string
  toolName: SubagentToolName
  /** Trimmed, so it compares equal to `subagentPromptOf` of the sub-agent's first request. */
  prompt: string
  description?: string
  subagentType?: string
}

/** The sub-agents an assistant response starts, in the order it starts them. */
export function extractSpawnedAgents(responseContent: readonly ContentBlock[]): SpawnedAgent[] {
  return responseContent.flatMap((block) => {
    const spawned = spawnedAgentOf(block)
    return spawned === undefined ? [] : [spawned]
  })
}

function spawnedAgentOf(block: ContentBlock): SpawnedAgent | undefined {
  if (block.type !== 'tool_use' || !isSubagentTool(block.name) || typeof block.id !== 'string') {
    return undefined
  }
  const input = isRecord(block.input) ? block.input : {}
  const prompt = stringField(input, 'prompt')?.trim()
  if (prompt === undefined || prompt === '') return undefined
  const spawned: SpawnedAgent = { toolUseId: block.id, toolName: block.name, prompt }
  const description = stringField(input, 'description')
  const subagentType = stringField(input, 'subagent_type')
  if (description !== undefined) spawned.description = description
  if (subagentType !== undefined) spawned.subagentType = subagentType
  return spawned
}

function isSubagentTool(name: unknown): name is SubagentToolName {
  return name === 'Agent' || name === 'Task'
}

/**
 * The user text of a request that is a single user message (reminders removed, trimmed), or
 * null. A sub-agent's first request looks like this, its text being the spawning `prompt`.
 */
export function subagentPromptOf(messages: readonly MessageParam[]): string | null {
  const normalized = normalizeMessages(messages)
  const only = normalized.length === 1 ? normalized[0] : undefined
  if (only?.role !== 'user') return null
  const texts = textsOf(only)
  return texts.length === 0 ? null : texts.join('\n\n')
}
