import { rawTexts, textsOf } from './message-text.ts'
import type { NormalizedMessage } from './normalize-messages.ts'
import type { MessagesRequest } from './request-body.ts'
import { isRecord } from './records.ts'
import { stripSystemReminders } from './system-reminders.ts'

export type SideCallType = 'internal' | 'query_evaluation'

/**
 * Where a signature is looked for:
 * - `instructions`: the system prompt, or the text of a request that is one user message.
 *   Only for requests without tools — Claude Code's main loop and sub-agents always send
 *   tools, its side calls never do, so a user quoting one of these phrases is not misread.
 * - `only-message`: the whole text of a one-user-message request, exactly.
 * - `last-user-start`: the start of the last user message (forks that reuse the conversation).
 */
type Place = 'instructions' | 'only-message' | 'last-user-start'

interface SideCallSignature {
  type: SideCallType
  place: Place
  /** Lower case; matched on text lower-cased with whitespace collapsed. */
  text: string
}

// Claude Code's side calls, from its published prompts (1.x – 2.1.x).
// Titles, topics and summaries shown in the terminal or the session list, and web page digests.
const INTERNAL_INSTRUCTIONS = [
  'indicates a new conversation topic',
  'captures the main topic or goal of this coding session',
  'succinct title and git branch name',
  'word title for the following conversation',
  'summarize this coding conversation',
  'describe most recent action in 3-5 words',
  'you summarize what was accomplished by a coding assistant',
  'concise description of what this command does',
  'web page content: ---',
]
// Claude Code asking a model to judge a command or the user's query before acting on it.
const QUERY_EVALUATION_INSTRUCTIONS = [
  'extract the command prefix',
  'process bash commands that an ai coding agent wants to run',
  'file paths that this command reads or modifies',
  'evaluate a hook condition',
  'analyze the conversation. assistant responses are hidden',
]

const SIGNATURES: readonly SideCallSignature[] = [
  ...INTERNAL_INSTRUCTIONS.map((text) => instructions('internal', text)),
  ...QUERY_EVALUATION_INSTRUCTIONS.map((text) => instructions('query_evaluation', text)),
  // Cache warm-ups of sub-agents and prompt suggestions; these do carry tools.
  { type: 'internal', place: 'only-message', text: 'warmup' },
  { type: 'internal', place: 'last-user-start', text: '[suggestion mode:' },
]

function instructions(type: SideCallType, text: string): SideCallSignature {
  return { type, place: 'instructions', text }
}

interface Texts {
  instructions: string[]
  onlyMessage: string | undefined
  lastUserStart: string | undefined
}

/** The side-call type whose signature the request carries, if any. */
export function matchSideCall(
  request: MessagesRequest,
  normalized: readonly NormalizedMessage[],
): SideCallType | undefined {
  const texts = textsToSearch(request, normalized)
  return SIGNATURES.find((signature) => matches(signature, texts))?.type
}

function matches(signature: SideCallSignature, texts: Texts): boolean {
  switch (signature.place) {
    case 'instructions':
      return texts.instructions.some((text) => text.includes(signature.text))
    case 'only-message':
      return texts.onlyMessage === signature.text
    case 'last-user-start':
      return texts.lastUserStart?.startsWith(signature.text) ?? false
  }
}

function textsToSearch(request: MessagesRequest, normalized: readonly NormalizedMessage[]): Texts {
  const only = normalized.length === 1 ? userText(normalized[0]) : undefined
  const last = userFirstText(normalized.at(-1))
  return {
    // Requests with tools never match an instruction, so their (long) system prompt is not
    // lower-cased and searched at all.
    instructions: request.hasTools ? [] : instructionTexts(request, only).map(comparable),
    onlyMessage: only === undefined ? undefined : comparable(only),
    lastUserStart: last === undefined ? undefined : comparable(last.slice(0, 200)),
  }
}

function instructionTexts(request: MessagesRequest, only: string | undefined): string[] {
  const system = [...rawTexts(request.system), ...request.messages.flatMap(inlineSystemTexts)]
  return [...system.map(stripSystemReminders), ...(only === undefined ? [] : [only])]
}

function userText(message: NormalizedMessage | undefined): string | undefined {
  return message?.role === 'user' ? textsOf(message).join('\n') : undefined
}

function userFirstText(message: NormalizedMessage | undefined): string | undefined {
  return message?.role === 'user' ? textsOf(message)[0] : undefined
}

function inlineSystemTexts(message: unknown): string[] {
  return isRecord(message) && message.role === 'system' ? rawTexts(message.content) : []
}

function comparable(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim()
}
