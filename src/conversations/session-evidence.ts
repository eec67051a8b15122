import { parseMetadataUserId } from './metadata-user-id.ts'
import { isRecord, stringField } from './records.ts'

/** What a request says about the Claude Code session and agent that sent it. */
export interface SessionEvidence {
  sessionId?: string
  /** Set on sub-agent requests only. */
  agentId?: string
  userId?: string
}

/**
 * Session evidence from the `x-claude-code-session-id` / `x-claude-code-agent-id` headers and
 * `metadata.user_id`. The header wins when both name a session: it is what the client sends
 * for routing, while `metadata.user_id` may be rewritten by gateways in between.
 */
export function extractSessionEvidence(
  headers: Record<string, string | undefined>,
  body: unknown,
): SessionEvidence {
  const metadata = isRecord(body) && isRecord(body.metadata) ? body.metadata : {}
  const fromMetadata = parseMetadataUserId(stringField(metadata, 'user_id') ?? '')
  const evidence: SessionEvidence = {}
  const sessionId = header(headers, 'x-claude-code-session-id') ?? fromMetadata.sessionId
  const agentId = header(headers, 'x-claude-code-agent-id')
  if (sessionId !== undefined) evidence.sessionId = sessionId
  if (agentId !== undefined) evidence.agentId = agentId
  if (fromMetadata.userId !== undefined) evidence.userId = fromMetadata.userId
  return evidence
}

// Header names arrive in whatever case the HTTP layer kept.
function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value !== undefined && value.trim() !== '') {
      return value.trim()
    }
  }
  return undefined
}
