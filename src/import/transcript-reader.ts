import type { Usage } from '../anthropic-types.ts'
import { parseTranscriptLine, type AssistantLine } from './transcript-line.ts'

/** One API response of a transcript: every line that shares its message id, merged. */
export interface ImportedMessage {
  messageId: string
  requestId: string | null
  model: string
  sessionId: string | null
  agentId: string | null
  isSidechain: boolean
  /** The first line's timestamp (when the response began arriving) and the last one's. */
  timestamp: string
  lastTimestamp: string
  usage: Partial<Usage>
  content: unknown[]
  stopReason: string | null
  /** The API call this one answered after (same chain), and the one before that. */
  parentMessageId: string | null
  grandparentMessageId: string | null
  /** A sub-agent's first call: the prompt its chain starts with. */
  subagentPrompt: unknown
  /** 1-based line number of the message's first line. */
  line: number
}

export interface MalformedReport {
  line: number
  reason: string
}

// The usage fields that only grow while a response streams: the largest seen is the final one.
const COUNTED = [
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
] as const

/**
 * Turns the lines of one transcript file, in order, into API messages. Claude Code writes a
 * response as one line per content block, all with the same message id; they are merged, and
 * a message id seen again later in the file is not counted twice. Pure: no I/O.
 */
export class TranscriptReader {
  // The nearest API call at or above each line of the chain (null: none yet).
  readonly #callOf = new Map<string, string | null>()
  // Before a chain's first call: the user content it starts with.
  readonly #promptOf = new Map<string, unknown>()
  readonly #parentCall = new Map<string, string | null>()
  readonly #emitted = new Set<string>()
  #pending: ImportedMessage | undefined
  readonly malformed: MalformedReport[] = []
  lines = 0

  /** Feeds the next line; returns the messages it completed. */
  push(text: string): ImportedMessage[] {
    const line = ++this.lines
    const parsed = parseTranscriptLine(text)
    switch (parsed.kind) {
      case 'malformed':
        this.malformed.push({ line, reason: parsed.reason })
        return []
      case 'skipped':
        return []
      case 'chain': {
        const call = this.#callAbove(parsed.parentUuid)
        this.#callOf.set(parsed.uuid, call)
        if (call === null) this.#trackPrompt(parsed.uuid, parsed.parentUuid, parsed.userContent)
        return []
      }
      case 'assistant':
        return this.#assistant(parsed, line)
    }
  }

  /** The message still open at the end of the input. */
  end(): ImportedMessage[] {
    return this.#flush()
  }

  #assistant(a: AssistantLine, line: number): ImportedMessage[] {
    if (a.synthetic) {
      this.#callOf.set(a.uuid, this.#callAbove(a.parentUuid))
      return []
    }
    const pending = this.#pending
    if (pending?.messageId === a.messageId) {
      this.#callOf.set(a.uuid, a.messageId)
      merge(pending, a)
      return []
    }
    const parent = this.#callAbove(a.parentUuid)
    this.#callOf.set(a.uuid, a.messageId)
    if (this.#emitted.has(a.messageId)) return []
    const done = this.#flush()
    this.#parentCall.set(a.messageId, parent)
    this.#pending = {
      messageId: a.messageId,
      requestId: a.requestId,
      model: a.model,
      sessionId: a.sessionId,
      agentId: a.agentId,
      isSidechain: a.isSidechain,
      timestamp: a.timestamp,
      lastTimestamp: a.timestamp,
      usage: { ...a.usage },
      content: [...a.content],
      stopReason: a.stopReason,
      parentMessageId: parent,
      grandparentMessageId: parent === null ? null : (this.#parentCall.get(parent) ?? null),
      subagentPrompt:
        parent === null && a.isSidechain ? (this.#promptOf.get(a.parentUuid ?? '') ?? null) : null,
      line,
    }
    return done
  }

  #flush(): ImportedMessage[] {
    const pending = this.#pending
    if (!pending) return []
    this.#pending = undefined
    this.#emitted.add(pending.messageId)
    return [pending]
  }

  #callAbove(parentUuid: string | null): string | null {
    return parentUuid === null ? null : (this.#callOf.get(parentUuid) ?? null)
  }

  // The first user message of a chain is its prompt; attachments after it keep it.
  #trackPrompt(uuid: string, parentUuid: string | null, userContent: unknown) {
    const inherited = parentUuid === null ? undefined : this.#promptOf.get(parentUuid)
    const prompt = inherited ?? userContent
    if (prompt !== null && prompt !== undefined) this.#promptOf.set(uuid, prompt)
  }
}

function merge(into: ImportedMessage, a: AssistantLine) {
  into.content.push(...a.content)
  into.lastTimestamp = a.timestamp
  if (a.stopReason !== null) into.stopReason = a.stopReason
  const usage = into.usage as Record<string, unknown>
  for (const key of COUNTED) {
    const next = a.usage[key]
    const current = usage[key]
    if (typeof next === 'number' && (typeof current !== 'number' || next > current)) {
      usage[key] = next
    }
  }
  for (const [key, value] of Object.entries(a.usage)) {
    if (!(COUNTED as readonly string[]).includes(key) && value !== null) usage[key] = value
  }
}
