import { randomUUID } from 'node:crypto'
import type { RequestRecord } from '../../storage/request-record.ts'

/**
 * Builders for realistic stored requests (Claude Code-like bodies: reminders, tool calls and
 * results, thinking), used by `nexus demo`, the dashboard tests and nothing on a live path.
 */
export interface RecordInput {
  at: Date
  domain: string
  model?: string
  accountId?: string
  messages?: unknown[]
  system?: string
  response?: unknown[]
  status?: number
  requestType?: string
  inputTokens?: number
  outputTokens?: number
  cacheRead?: number
  cacheWrite?: number
  costUsd?: number | null
  error?: { type: string; message: string }
  streaming?: boolean
  streamEnd?: RequestRecord['streamEnd']
  requestHeaders?: Record<string, string>
  requestId?: string
}

export function demoRecord(input: RecordInput): RequestRecord {
  const model = input.model ?? 'claude-sonnet-4-5-20250929'
  const messages = input.messages ?? [{ role: 'user', content: 'Hello' }]
  const body = {
    model,
    max_tokens: 8192,
    stream: input.streaming ?? true,
    system: input.system,
    messages,
  }
  const status = input.status ?? 200
  const response =
    status < 400
      ? {
          id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
          type: 'message',
          role: 'assistant',
          model,
          content: input.response ?? [{ type: 'text', text: 'Done.' }],
          stop_reason: 'end_turn',
          usage: {
            input_tokens: input.inputTokens ?? 120,
            output_tokens: input.outputTokens ?? 40,
          },
        }
      : { type: 'error', error: input.error ?? { type: 'overloaded_error', message: 'Overloaded' } }
  const bodyJson = JSON.stringify(body)
  const responseJson = JSON.stringify(response)
  return {
    requestId: input.requestId ?? randomUUID(),
    timestamp: input.at.toISOString(),
    domain: input.domain,
    accountId: input.accountId ?? 'acc_demo',
    authSource: 'credential_file',
    method: 'POST',
    path: '/v1/messages',
    query: null,
    model,
    requestType: input.requestType ?? 'inference',
    isStreaming: input.streaming ?? true,
    statusCode: status,
    error: status < 400 ? null : (input.error?.message ?? 'Overloaded'),
    errorType: status < 400 ? null : (input.error?.type ?? 'overloaded_error'),
    streamEnd: input.streamEnd ?? (status < 400 ? 'done' : 'upstream_error'),
    durationMs: 800 + Math.round((input.outputTokens ?? 40) * 12),
    firstTokenMs: 450,
    inputTokens: input.inputTokens ?? 120,
    outputTokens: input.outputTokens ?? 40,
    cacheCreationInputTokens: input.cacheWrite ?? 0,
    cacheReadInputTokens: input.cacheRead ?? 0,
    cacheCreation5mTokens: input.cacheWrite ?? 0,
    cacheCreation1hTokens: 0,
    webSearchRequests: 0,
    costUsd: input.costUsd === undefined ? estimateCost(input) : input.costUsd,
    requestHeaders: {
      'content-type': 'application/json',
      'user-agent': 'claude-cli/2.1.0 (external, cli)',
      'x-api-key': '[redacted]',
      'anthropic-version': '2023-06-01',
      ...input.requestHeaders,
    },
    responseHeaders: {
      'content-type': 'text/event-stream',
      'request-id': `req_${randomUUID().slice(0, 12)}`,
    },
    bodyJson,
    bodyBytes: Buffer.byteLength(bodyJson),
    responseJson,
    responseBytes: Buffer.byteLength(responseJson),
    messageCount: messages.length,
    toolCallCount: (input.response ?? []).filter(
      (b) => (b as { type?: string }).type === 'tool_use',
    ).length,
    upstreamRequestId: null,
    // As the proxy derives them (src/proxy/derive-facts.ts): from Claude Code's headers.
    sessionId: input.requestHeaders?.['x-claude-code-session-id'] ?? null,
    agentId: input.requestHeaders?.['x-claude-code-agent-id'] ?? null,
    chunks: [],
  }
}

// Sonnet list prices: a plausible figure for the demo; real records are priced by src/usage.
function estimateCost(input: RecordInput): number {
  const i = input.inputTokens ?? 120
  const o = input.outputTokens ?? 40
  const r = input.cacheRead ?? 0
  const w = input.cacheWrite ?? 0
  return Math.round((i * 3 + o * 15 + r * 0.3 + w * 3.75) * 1000) / 1e9
}

export const reminder = (text: string) => `<system-reminder>\n${text}\n</system-reminder>`

export function userText(text: string, withReminder = false): unknown {
  const blocks: unknown[] = []
  if (withReminder)
    blocks.push({
      type: 'text',
      text: reminder('As you answer the user, use the CLAUDE.md context.'),
    })
  blocks.push({ type: 'text', text })
  return { role: 'user', content: blocks }
}

export function toolCall(id: string, name: string, input: unknown, thinking?: string): unknown {
  const content: unknown[] = []
  if (thinking) content.push({ type: 'thinking', thinking, signature: 'sig' })
  content.push({ type: 'text', text: `Let me use ${name}.` }, { type: 'tool_use', id, name, input })
  return { role: 'assistant', content }
}

export function toolResult(id: string, output: string, isError = false): unknown {
  return {
    role: 'user',
    content: [
      {
        type: 'tool_result',
        tool_use_id: id,
        content: output,
        ...(isError ? { is_error: true } : {}),
      },
    ],
  }
}

export function assistantText(text: string): unknown {
  return { role: 'assistant', content: [{ type: 'text', text }] }
}
