import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import {
  sseForMessage,
  type MockHandler,
  type MockMessage,
  type MockReply,
} from './mock-anthropic.ts'

/** A tool call the scripted model makes; inputs are what Claude Code 2.1's tools accept. */
export type ScriptedToolCall =
  | { name: 'Bash'; input: { command: string; description?: string } }
  | { name: 'Read'; input: { file_path: string } }
  | { name: 'Agent'; input: { description: string; prompt: string; subagent_type: string } }

/** One assistant response: optional text first, then tool calls (stop_reason `tool_use`). */
export interface ScriptedReply {
  text?: string
  tools?: ScriptedToolCall[]
}

export interface ClaudeCodeScript {
  /**
   * Main-loop answers keyed by the user's prompt as typed. The n-th round trip after that
   * prompt (0 for the prompt itself, 1 after the first tool results, …) gets reply n.
   */
  prompts: Record<string, ScriptedReply[]>
  /** Sub-agent answers keyed by the `prompt` of the `Agent` call that spawned them. */
  agents?: Record<string, ScriptedReply[]>
  /** The answer to a compaction request (Claude Code keeps its `<summary>` part). */
  compactSummary?: string
}

/** What Claude Code meant by a request, as far as its bytes tell. */
export type ClaudeCodeRequestKind =
  | 'main'
  | 'subagent'
  | 'compact'
  | 'quota'
  | 'title'
  | 'side_call'
  | 'warmup'
  | 'count_tokens'
  | 'preflight'
  | 'unknown_path'

export interface RecognizedRequest {
  kind: ClaudeCodeRequestKind
  /** Main loop and sub-agents: the prompt that started the exchange (reminders removed). */
  prompt?: string
  /** Main loop and sub-agents: round trips since that prompt (0 = answering the prompt). */
  step?: number
  agentId?: string
}

export interface ClaudeCodeRequest {
  method: string
  /** With or without the query string. */
  path: string
  headers: IncomingHttpHeaders | Record<string, string>
  body: unknown
}

/**
 * Tells Claude Code's side calls (quota probe, title, warm-up, compaction) from main-loop and
 * sub-agent turns. Side calls carry no tools; a sub-agent is known by its
 * `x-claude-code-agent-id` header or by a first prompt equal to a known `Agent` prompt.
 */
export function recognizeClaudeCodeRequest(
  req: ClaudeCodeRequest,
  agentPrompts: readonly string[] = [],
): RecognizedRequest {
  const path = req.path.split('?')[0] ?? ''
  if (req.method === 'HEAD' && path === '/') return { kind: 'preflight' }
  if (path === '/v1/messages/count_tokens') return { kind: 'count_tokens' }
  if (req.method !== 'POST' || path !== '/v1/messages') return { kind: 'unknown_path' }
  const request = readRequest(req.body)
  const humans = humanPrompts(request.messages)
  const first = humans[0]
  const last = humans.at(-1)
  const agentId = headerOf(req.headers, 'x-claude-code-agent-id')
  if (request.maxTokens !== undefined && request.maxTokens <= 1) return { kind: 'quota' }
  if (last !== undefined && /create a detailed summary of the conversation/i.test(last.text)) {
    return { kind: 'compact' }
  }
  if (humans.length === 1 && first?.text === 'Warmup') return { kind: 'warmup' }
  if (!request.hasTools) {
    return { kind: request.systemText.includes('"title"') ? 'title' : 'side_call' }
  }
  if (first !== undefined && (agentId !== undefined || agentPrompts.includes(first.text))) {
    const step = assistantTurnsAfter(request.messages, first.index)
    const found: RecognizedRequest = { kind: 'subagent', prompt: first.text, step }
    if (agentId !== undefined) found.agentId = agentId
    return found
  }
  if (last === undefined) return { kind: 'main' }
  return {
    kind: 'main',
    prompt: last.text,
    step: assistantTurnsAfter(request.messages, last.index),
  }
}

/** A short stable name for a recognised request, e.g. `main "List the files." #1`. */
export function requestLabel(found: RecognizedRequest): string {
  const prompt = found.prompt === undefined ? '' : ` ${JSON.stringify(found.prompt)}`
  const step = found.step === undefined ? '' : ` #${found.step}`
  return `${found.kind}${prompt}${step}`
}

const FALLBACK_TEXT = 'Done.'
const DEFAULT_SUMMARY = [
  '<analysis>The user asked scripted questions and got scripted answers.</analysis>',
  '',
  '<summary>',
  '1. Primary Request and Intent: the user exercised the scripted mock.',
  '2. Pending Tasks: none.',
  '</summary>',
].join('\n')

export interface ScriptLogEntry extends RecognizedRequest {
  method: string
  path: string
  /** The script had no reply for this turn and answered a default text. */
  unscripted?: true
}

/**
 * A scripted "Claude" that drives the real Claude Code CLI through the loopback mock: side
 * calls get plain answers, main-loop and sub-agent turns get the script's replies, streamed
 * when asked (tool calls as `input_json_delta`s). Ids derive from the script, so the same
 * scenario always produces the same messages and tool-use ids.
 *
 * Install with `mock.handler = model.handler`; unknown paths get Anthropic's 404 shape.
 */
export class ClaudeCodeScriptedModel {
  readonly log: ScriptLogEntry[] = []
  readonly #script: ClaudeCodeScript

  constructor(script: ClaudeCodeScript) {
    this.#script = script
  }

  get unknownPaths(): string[] {
    return this.log.filter((e) => e.kind === 'unknown_path').map((e) => `${e.method} ${e.path}`)
  }

  get unscripted(): ScriptLogEntry[] {
    return this.log.filter((e) => e.unscripted === true)
  }

  readonly handler: MockHandler = (req, body) => {
    const path = req.url.split('?')[0] ?? ''
    const agents = this.#script.agents ?? {}
    const found = recognizeClaudeCodeRequest(
      { method: req.method, path, headers: req.headers, body },
      Object.keys(agents),
    )
    const entry: ScriptLogEntry = { method: req.method, path, ...found }
    this.log.push(entry)
    switch (found.kind) {
      case 'preflight':
        return { kind: 'json', body: {} }
      case 'count_tokens':
        return { kind: 'json', body: { input_tokens: 1000 } }
      case 'unknown_path':
        return notFound(req.method, path)
      default: {
        const { reply, seed } = this.#replyFor(found, entry)
        const request = readRequest(body)
        const message = buildMessage(request.model, reply, seed)
        return request.stream
          ? { kind: 'sse', stream: Buffer.from(sseForMessage(message)) }
          : { kind: 'json', body: message }
      }
    }
  }

  #replyFor(
    found: RecognizedRequest,
    entry: ScriptLogEntry,
  ): { reply: ScriptedReply; seed: string } {
    switch (found.kind) {
      case 'quota':
        return { reply: { text: 'x' }, seed: 'quota' }
      case 'title':
        return { reply: { text: '{"title": "Scripted session"}' }, seed: 'title' }
      case 'warmup':
        return { reply: { text: 'Ready.' }, seed: `warmup|${found.agentId ?? ''}` }
      case 'compact': {
        const summary = this.#script.compactSummary ?? DEFAULT_SUMMARY
        return { reply: { text: summary }, seed: `compact|${summary}` }
      }
      case 'main':
      case 'subagent': {
        const table = found.kind === 'main' ? this.#script.prompts : (this.#script.agents ?? {})
        const step = found.step ?? 0
        const seed = `${found.kind}|${found.prompt ?? ''}|${step}`
        const reply = found.prompt === undefined ? undefined : table[found.prompt]?.[step]
        if (reply !== undefined) return { reply, seed }
        entry.unscripted = true
        return { reply: { text: FALLBACK_TEXT }, seed }
      }
      default:
        return { reply: { text: 'Scripted side-call answer.' }, seed: 'side_call' }
    }
  }
}

function buildMessage(model: string, reply: ScriptedReply, seed: string): MockMessage {
  const content: Array<Record<string, unknown>> = []
  if (reply.text !== undefined) content.push({ type: 'text', text: reply.text })
  for (const [i, call] of (reply.tools ?? []).entries()) {
    const id = `toolu_01${idPart(`${seed}|${i}`)}`
    content.push({ type: 'tool_use', id, name: call.name, input: call.input })
  }
  const calls = reply.tools?.length ?? 0
  return {
    id: `msg_01${idPart(seed)}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: calls > 0 ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 1200,
      output_tokens: 40 + 20 * calls,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  }
}

// Base62-looking like the API's own ids, but derived from the seed.
function idPart(seed: string): string {
  return createHash('sha256').update(seed).digest('base64url').replace(/[-_]/g, 'x').slice(0, 22)
}

function notFound(method: string, path: string): MockReply {
  return {
    kind: 'json',
    status: 404,
    body: {
      type: 'error',
      error: { type: 'not_found_error', message: `mock: no route for ${method} ${path}` },
    },
  }
}

interface ParsedRequest {
  model: string
  stream: boolean
  maxTokens: number | undefined
  hasTools: boolean
  systemText: string
  messages: unknown[]
}

function readRequest(body: unknown): ParsedRequest {
  const b = isRecord(body) ? body : {}
  const system = b.system
  return {
    model: typeof b.model === 'string' ? b.model : 'claude-sonnet-4-5-20250929',
    stream: b.stream === true,
    maxTokens: typeof b.max_tokens === 'number' ? b.max_tokens : undefined,
    hasTools: Array.isArray(b.tools) && b.tools.length > 0,
    systemText:
      typeof system === 'string' ? system : Array.isArray(system) ? textsOf(system).join('\n') : '',
    messages: Array.isArray(b.messages) ? b.messages : [],
  }
}

interface HumanPrompt {
  index: number
  text: string
}

/** User messages that carry typed text once reminders are removed, not only tool results. */
function humanPrompts(messages: unknown[]): HumanPrompt[] {
  const out: HumanPrompt[] = []
  messages.forEach((m, index) => {
    if (!isRecord(m) || m.role !== 'user') return
    const content = m.content
    const texts =
      typeof content === 'string' ? [content] : Array.isArray(content) ? textsOf(content) : []
    const text = texts
      .map((t) => t.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim())
      .filter((t) => t !== '')
      .join('\n\n')
    if (text !== '') out.push({ index, text })
  })
  return out
}

function assistantTurnsAfter(messages: unknown[], index: number): number {
  return messages.slice(index + 1).filter((m) => isRecord(m) && m.role === 'assistant').length
}

function textsOf(blocks: unknown[]): string[] {
  return blocks.flatMap((b) =>
    isRecord(b) && b.type === 'text' && typeof b.text === 'string' ? [b.text] : [],
  )
}

function headerOf(headers: ClaudeCodeRequest['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
