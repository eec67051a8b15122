import type { ContentBlock, MessageParam } from '../anthropic-types.ts'
import { classifyRequest } from './classify-request.ts'
import { detectCompaction, type CompactionFormat } from './compaction.ts'
import { sha256Hex } from './digest.ts'
import { computeMessageHashes } from './message-hash.ts'
import { readMessagesBody } from './request-body.ts'
import { extractSessionEvidence } from './session-evidence.ts'
import { extractSpawnedAgents, subagentPromptOf } from './subagents.ts'
import { hashSystemPrompt } from './system-hash.ts'

/** Bump when a rule below changes what is derived; `rebuild --rehash` re-derives old rows. */
export const LINK_FACTS_VERSION = 2

/** What linking needs to know about one request's messages, derived once from its body. */
export interface LinkFacts {
  currentHash: string
  parentHash: string | null
  grandparentHash: string | null
  systemHash: string | null
  /** SHA-256 of the text of a single-user-message request: what a sub-agent starts with. */
  promptHash: string | null
  /** Set when the first user message carries Claude Code's continuation summary. */
  compaction: { format: CompactionFormat; transcriptSessionId: string | null } | null
}

/** An Agent/Task call in a response, as a sub-agent's first request will be matched to it. */
export interface SpawnFact {
  toolIndex: number
  toolUseId: string
  promptHash: string
}

/** A stored request as it was received: what the facts are derived from. */
export interface StoredExchange {
  method: string
  path: string
  headers: Record<string, string>
  body: unknown
}

export interface DerivedRequest {
  requestType: string
  sessionId: string | null
  agentId: string | null
  /** Null when the request has no messages to link (or is not an inference request). */
  facts: LinkFacts | null
}

/** Request type, session evidence and link facts of a stored request. */
export function deriveRequest(stored: StoredExchange): DerivedRequest {
  const requestType = classifyRequest(stored)
  const evidence = extractSessionEvidence(stored.headers, stored.body)
  return {
    requestType,
    sessionId: evidence.sessionId ?? null,
    agentId: evidence.agentId ?? null,
    facts: requestType === 'inference' ? linkFactsOf(stored.body) : null,
  }
}

/** Link facts of a Messages API body; null when it has no messages left after normalisation. */
export function linkFactsOf(body: unknown): LinkFacts | null {
  const request = readMessagesBody(body)
  if (request === undefined) return null
  const hashes = computeMessageHashes(request.messages)
  if (hashes.messageCount === 0) return null
  const prompt = hashes.messageCount === 1 ? subagentPromptOf(request.messages) : null
  return {
    currentHash: hashes.current,
    parentHash: hashes.parent,
    grandparentHash: hashes.grandparent,
    systemHash: hashSystemPrompt(request.system, request.messages),
    promptHash: prompt === null ? null : sha256Hex(prompt),
    compaction: compactionOf(request.messages),
  }
}

/** The api_requests columns that hold a request's link facts. */
export function linkFactColumns(factsVersion: number | null, facts: LinkFacts | null) {
  return {
    link_facts_version: factsVersion,
    current_message_hash: facts?.currentHash ?? null,
    parent_message_hash: facts?.parentHash ?? null,
    grandparent_message_hash: facts?.grandparentHash ?? null,
    system_hash: facts?.systemHash ?? null,
    subagent_prompt_hash: facts?.promptHash ?? null,
    compaction_format: facts?.compaction?.format ?? null,
    compaction_session_id: facts?.compaction?.transcriptSessionId ?? null,
  }
}

/** The sub-agents a stored response starts, in the order it starts them. */
export function spawnFactsOf(responseContent: unknown): SpawnFact[] {
  if (!Array.isArray(responseContent)) return []
  return extractSpawnedAgents(responseContent as ContentBlock[]).map((spawn, toolIndex) => ({
    toolIndex,
    toolUseId: spawn.toolUseId,
    promptHash: sha256Hex(spawn.prompt),
  }))
}

// Claude Code names the summarised session's transcript: `…/<session id>.jsonl`.
const TRANSCRIPT_SESSION = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl/i

function compactionOf(messages: readonly MessageParam[]): LinkFacts['compaction'] {
  // Only the messages before the first answer make up the first user turn; a long
  // conversation is not normalised a second time for it.
  const firstAnswer = messages.findIndex((m) => m.role === 'assistant')
  const found = detectCompaction(firstAnswer < 0 ? messages : messages.slice(0, firstAnswer))
  if (found === null) return null
  const session = TRANSCRIPT_SESSION.exec(found.summary)?.[1]?.toLowerCase() ?? null
  return { format: found.format, transcriptSessionId: session }
}
