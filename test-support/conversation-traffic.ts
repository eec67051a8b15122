import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { ContentBlock, MessageParam } from '../src/anthropic-types.ts'
import { classifyRequest } from '../src/conversations/classify-request.ts'
import { fixtures, type RequestBody } from '../src/conversations/fixtures/index.ts'
import { extractSessionEvidence } from '../src/conversations/session-evidence.ts'
import type { Database } from '../src/db/database.ts'

/**
 * Request bodies shaped like Claude Code 2.1 traffic (src/conversations/fixtures): billing
 * header with a per-request value, reminders in the first user message, a `role:"system"`
 * MCP entry, cache_control on the newest block, the JSON `metadata.user_id`, session and
 * agent headers.
 */
export class ClaudeCodeSession {
  readonly sessionId: string
  constructor(
    readonly domain: string,
    readonly options: { agentId?: string; sessionId?: string } = {},
  ) {
    this.sessionId = options.sessionId ?? randomUUID()
  }

  headers(): Record<string, string> {
    return {
      'user-agent': 'claude-cli/2.1.80 (external, cli)',
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
      'x-claude-code-session-id': this.sessionId,
      ...(this.options.agentId ? { 'x-claude-code-agent-id': this.options.agentId } : {}),
    }
  }

  /** A main-thread request (fixture main-turn-2's shape) carrying `messages`. */
  body(messages: MessageParam[]): RequestBody {
    const body = fixtures.mainTurn2()
    const system = body.system as { type: 'text'; text: string }[]
    system[0]!.text = `x-anthropic-billing-header: cc_version=2.1.80.a41; cc_entrypoint=cli; cch=${randomBytes(3).toString('hex')};`
    body.metadata = {
      user_id: JSON.stringify({
        device_id: 'd'.repeat(64),
        account_uuid: '8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d',
        session_id: this.sessionId,
      }),
    }
    const [first, ...rest] = messages
    body.messages = first
      ? [
          first,
          {
            role: 'system',
            content:
              'The following MCP servers have provided instructions: linear — use issue keys like SHOP-12.',
          },
          ...rest,
        ]
      : []
    return body
  }

  /** A sub-agent request (fixture subagent-turn-1's shape). */
  subagentBody(messages: MessageParam[]): RequestBody {
    const body = fixtures.subagentTurn1()
    body.metadata = {
      user_id: JSON.stringify({
        device_id: 'd'.repeat(64),
        account_uuid: '',
        session_id: this.sessionId,
      }),
    }
    body.messages = messages
    return body
  }
}

/** The first user message of a session: Claude Code's reminders, then what the user typed. */
export function firstUserMessage(text: string): MessageParam {
  const reminders = fixtures.mainTurn1().messages[0]!.content as ContentBlock[]
  return {
    role: 'user',
    content: [
      ...reminders.slice(0, 2),
      { type: 'text', text, cache_control: { type: 'ephemeral' } },
    ],
  }
}

export function userMessage(text: string): MessageParam {
  return {
    role: 'user',
    content: [
      { type: 'text', text },
      {
        type: 'text',
        text: "<system-reminder>\nThe TodoWrite tool hasn't been used recently.\n</system-reminder>",
        cache_control: { type: 'ephemeral' },
      },
    ],
  }
}

export function toolResultMessage(toolUseId: string, text: string): MessageParam {
  return {
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: toolUseId, content: [{ type: 'text', text }] }],
  }
}

export function assistantMessage(content: ContentBlock[]): MessageParam {
  return { role: 'assistant', content }
}

export function text(value: string): ContentBlock[] {
  return [{ type: 'text', text: value }]
}

export function agentCall(
  id: string,
  prompt: string,
  name: 'Agent' | 'Task' = 'Agent',
): ContentBlock {
  return {
    type: 'tool_use',
    id,
    name,
    input: { description: prompt.slice(0, 30), prompt, subagent_type: 'general-purpose' },
  }
}

/** One request as the proxy would have stored it. */
export interface StoredTraffic {
  label: string
  domain: string
  body: unknown
  /** The answer's content blocks (stored as the response message). */
  answer?: ContentBlock[]
  headers?: Record<string, string>
  path?: string
  method?: string
  model?: string
  accountId?: string
  /** When the proxy received it; by default one second after the one before. */
  timestamp?: string
}

/**
 * Inserts requests in order (so seq follows the array), with the columns the proxy writes:
 * request type and session evidence by the same rules as src/proxy/derive-facts.ts.
 */
export async function storeTraffic(
  db: Database,
  traffic: readonly StoredTraffic[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  const base = Date.parse('2026-03-07T10:00:00.000Z')
  const rows = traffic.map((t, i) => {
    const requestId = randomUUID()
    ids.set(t.label, requestId)
    const method = t.method ?? 'POST'
    const path = t.path ?? '/v1/messages'
    const headers = t.headers ?? {}
    const evidence = extractSessionEvidence(headers, t.body)
    const model = t.model ?? (t.body as { model?: string } | null)?.model ?? null
    const response = t.answer
      ? {
          id: `msg_${i}`,
          type: 'message',
          role: 'assistant',
          model,
          content: t.answer,
          stop_reason: 'end_turn',
          usage: { input_tokens: 10, output_tokens: 5 },
        }
      : null
    const messages = (t.body as { messages?: unknown[] } | null)?.messages
    return {
      request_id: requestId,
      timestamp: t.timestamp ?? new Date(base + i * 1000).toISOString(),
      domain: t.domain,
      account_id: t.accountId ?? null,
      method,
      path,
      model,
      request_type: classifyRequest({ method, path, body: t.body }),
      status_code: 200,
      is_streaming: false,
      input_tokens: 10,
      output_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      total_tokens: 15,
      request_headers: JSON.stringify(headers),
      body: JSON.stringify(t.body),
      response_body: response ? JSON.stringify(response) : null,
      message_count: Array.isArray(messages) ? messages.length : 0,
      tool_call_count: t.answer?.filter((b) => b.type === 'tool_use').length ?? 0,
      session_id: evidence.sessionId ?? null,
      agent_id: evidence.agentId ?? null,
    }
  })
  for (const row of rows) await db.kysely.insertInto('api_requests').values(row).execute()
  return ids
}

/** [conversation, branch, link kind, parent, is sub-task, spawning request], by label. */
export type LinkView = [
  string | null,
  string | null,
  string | null,
  string | null,
  boolean,
  string | null,
]

/** The stored links of labelled requests, with request ids written as labels. */
export async function linkView(
  db: Database,
  ids: Map<string, string>,
): Promise<Record<string, LinkView>> {
  const labels = new Map([...ids].map(([label, id]) => [id, label]))
  const name = (id: string | null) => (id === null ? null : (labels.get(id) ?? `?${id}`))
  const rows = await sql<{
    request_id: string
    conversation_id: string | null
    branch_id: string | null
    link_kind: string | null
    parent_request_id: string | null
    is_subtask: boolean
    parent_task_request_id: string | null
  }>`select request_id, conversation_id, branch_id, link_kind, parent_request_id, is_subtask, parent_task_request_id
     from api_requests where request_id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify([...ids.values()])}::jsonb))
     order by seq`.execute(db.kysely)
  const view: Record<string, LinkView> = {}
  for (const r of rows.rows) {
    view[name(r.request_id)!] = [
      name(r.conversation_id),
      r.branch_id,
      r.link_kind,
      name(r.parent_request_id),
      r.is_subtask,
      name(r.parent_task_request_id),
    ]
  }
  return view
}

/** A domain no other test uses. */
export function testDomain(): string {
  return `conv-${randomBytes(5).toString('hex')}.test`
}
