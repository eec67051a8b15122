import { isRecord, stringField } from '../conversations/records.ts'
import { redactForModel } from './redact-for-model.ts'

/** One turn as the analysis model reads it. */
export interface TranscriptEntry {
  role: 'user' | 'assistant'
  text: string
}

/**
 * A stretch of a branch whose history one request carries: its messages and the answer to it.
 * A branch has several when Claude Code compacted the history in between.
 */
export interface BranchSegment {
  messages: unknown
  response: unknown
}

const SUBAGENT_TOOLS = new Set(['Agent', 'Task'])
const SNIPPET = 300

/**
 * The branch as text: user and assistant texts, tool calls as short markers, sub-agent tasks
 * summarised, everything redacted. Thinking, images and tool outputs are left out.
 */
export function buildTranscript(segments: readonly BranchSegment[]): TranscriptEntry[] {
  const out: TranscriptEntry[] = []
  segments.forEach((segment, i) => {
    if (i > 0) out.push({ role: 'user', text: '[the conversation history was compacted here]' })
    const subagentCalls = new Set<string>()
    const messages = Array.isArray(segment.messages) ? segment.messages : []
    const response = isRecord(segment.response) ? [segment.response] : []
    for (const message of [...messages, ...response]) {
      if (!isRecord(message)) continue
      const role =
        message.role === 'assistant' ? 'assistant' : message.role === 'user' ? 'user' : undefined
      if (!role) continue
      const text = contentText(message.content, subagentCalls)
      if (text === '') continue
      const last = out.at(-1)
      if (last?.role === role) last.text += `\n${text}`
      else out.push({ role, text })
    }
  })
  return out
}

function contentText(content: unknown, subagentCalls: Set<string>): string {
  if (typeof content === 'string') return clean(content)
  if (!Array.isArray(content)) return ''
  return content
    .filter(isRecord)
    .map((block) => blockText(block, subagentCalls))
    .filter((t) => t !== '')
    .join('\n')
}

function blockText(block: Record<string, unknown>, subagentCalls: Set<string>): string {
  switch (block.type) {
    case 'text':
      return clean(stringField(block, 'text') ?? '')
    case 'tool_use':
    case 'server_tool_use':
      return toolUseMarker(block, subagentCalls)
    case 'tool_result': {
      const id = stringField(block, 'tool_use_id') ?? ''
      const error = block.is_error === true ? ' (error)' : ''
      if (subagentCalls.has(id)) {
        return `[sub-agent result${error}: ${snippet(resultText(block.content))}]`
      }
      return `[tool result${error}]`
    }
    default:
      return ''
  }
}

function toolUseMarker(block: Record<string, unknown>, subagentCalls: Set<string>): string {
  const name = stringField(block, 'name') ?? 'tool'
  const input = isRecord(block.input) ? block.input : {}
  if (SUBAGENT_TOOLS.has(name)) {
    const id = stringField(block, 'id')
    if (id) subagentCalls.add(id)
    const description = (stringField(input, 'description') ?? '').trim()
    return `[sub-agent task "${redactForModel(description)}": ${snippet(stringField(input, 'prompt') ?? '')}]`
  }
  // The first string argument says enough (a path, a command, a query) for the model.
  const first = Object.values(input).find((v): v is string => typeof v === 'string')
  return first === undefined ? `[tool: ${name}]` : `[tool: ${name} ${snippet(first, 80)}]`
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .filter(isRecord)
    .map((b) => stringField(b, 'text') ?? '')
    .join(' ')
}

function snippet(text: string, max = SNIPPET): string {
  const one = clean(text).replace(/\s+/g, ' ')
  return one.length > max ? `${one.slice(0, max)}…` : one
}

// Claude Code's injected reminders are not the user's words.
const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g

function clean(text: string): string {
  return redactForModel(text.replace(REMINDER, '')).trim()
}
