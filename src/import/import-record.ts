import { sha256Hex } from '../conversations/digest.ts'
import { LINK_FACTS_VERSION, type LinkFacts } from '../conversations/link-facts.ts'
import { subagentPromptOf } from '../conversations/subagents.ts'
import { storableJson } from '../redact.ts'
import type { RequestRecord } from '../storage/request-record.ts'
import { searchTextOf } from '../storage/search-text.ts'
import type { CostOf } from '../usage/request-cost.ts'
import type { ImportedMessage } from './transcript-reader.ts'

/** The `source` of imported rows (api_requests.source); proxied rows have none. */
export const IMPORT_SOURCE = 'claude-code-import'

/** Where imported rows are filed when `--domain` does not say otherwise. */
export const DEFAULT_IMPORT_DOMAIN = 'claude-code-import'

/**
 * The request id of an imported message: derived from its API message id, so importing the
 * same transcript again (or a copy of it) finds the row already there.
 */
export function importedRequestId(messageId: string): string {
  const h = sha256Hex(`${IMPORT_SOURCE}:${messageId}`)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

// Transcripts do not hold the request bodies the proxy hashes, so imported rows carry their
// own message hashes: one per API message, the parent's being the previous call of the same
// chain. The linker then files them with its ordinary parent and sub-agent rules.
function messageHash(messageId: string | null): string | null {
  if (messageId === null) return null
  let hash = recentHashes.get(messageId)
  if (hash === undefined) {
    if (recentHashes.size >= RECENT_HASHES) recentHashes.clear()
    hash = sha256Hex(`${IMPORT_SOURCE}:hash:${messageId}`)
    recentHashes.set(messageId, hash)
  }
  return hash
}

// A call's hash is its successor's parent hash and the one after's grandparent hash: kept
// for a while, it is computed once instead of three times. Bounded: cleared when full.
const RECENT_HASHES = 1024
const recentHashes = new Map<string, string>()

/** The link facts of an imported message (src/conversations/link-facts.ts). */
export function importedLinkFacts(m: ImportedMessage): LinkFacts {
  const prompt =
    m.subagentPrompt === null ? null : subagentPromptOf([{ role: 'user', content: promptOf(m) }])
  return {
    currentHash: messageHash(m.messageId) ?? '',
    parentHash: messageHash(m.parentMessageId),
    grandparentHash: messageHash(m.grandparentMessageId),
    systemHash: null,
    promptHash: prompt === null ? null : sha256Hex(prompt),
    compaction: null,
    asksCompaction: false,
  }
}

function promptOf(m: ImportedMessage): string | never[] {
  const p = m.subagentPrompt
  return typeof p === 'string' || Array.isArray(p) ? (p as string | never[]) : []
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0
}

/** A stored request for one imported API message, priced like a proxied one. */
export function importedRecord(m: ImportedMessage, domain: string, costOf: CostOf): RequestRecord {
  const cost = costOf(m.model, m.usage)
  const response = {
    id: m.messageId,
    type: 'message',
    role: 'assistant',
    model: m.model,
    content: m.content,
    stop_reason: m.stopReason,
    usage: m.usage,
  }
  const responseJson = storableJson(JSON.stringify(response))
  return {
    requestId: importedRequestId(m.messageId),
    timestamp: m.timestamp,
    domain,
    accountId: null,
    authSource: null,
    method: 'POST',
    path: '/v1/messages',
    query: null,
    model: m.model,
    requestType: 'inference',
    isStreaming: true,
    statusCode: 200,
    error: null,
    errorType: null,
    streamEnd: 'done',
    durationMs: Math.max(0, Date.parse(m.lastTimestamp) - Date.parse(m.timestamp)),
    firstTokenMs: null,
    inputTokens: count(m.usage.input_tokens),
    outputTokens: count(m.usage.output_tokens),
    cacheCreationInputTokens: count(m.usage.cache_creation_input_tokens),
    cacheReadInputTokens: count(m.usage.cache_read_input_tokens),
    ...cost,
    requestHeaders: {},
    responseHeaders: null,
    bodyJson: null,
    bodyBytes: 0,
    responseJson,
    responseBytes: Buffer.byteLength(responseJson),
    messageCount: 0,
    toolCallCount: m.content.filter((b) => isToolUse(b)).length,
    upstreamRequestId: m.requestId,
    sessionId: m.sessionId,
    agentId: m.agentId,
    linkFactsVersion: LINK_FACTS_VERSION,
    linkFacts: importedLinkFacts(m),
    searchText: searchTextOf(null, m.content, null),
    source: IMPORT_SOURCE,
    messageId: m.messageId,
    chunks: [],
  }
}

function isToolUse(block: unknown): boolean {
  return (
    typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'tool_use'
  )
}
