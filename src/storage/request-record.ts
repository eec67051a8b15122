import type { LinkFacts } from '../conversations/link-facts.ts'
import type { BatchResultRecord } from '../usage/batch-results.ts'

/**
 * One stored exchange, in the form the writer queues, spools to disk and inserts. Plain JSON
 * (no Dates, no Buffers) so a spooled record reads back exactly as it was written. Bodies
 * are JSON text that has already been redacted.
 */
export interface RequestRecord {
  requestId: string
  timestamp: string
  domain: string
  accountId: string | null
  authSource: string | null
  method: string
  path: string
  query: string | null
  model: string | null
  requestType: string | null
  isStreaming: boolean
  statusCode: number | null
  error: string | null
  errorType: string | null
  streamEnd: StreamEnd | null
  durationMs: number | null
  firstTokenMs: number | null
  inputTokens: number
  outputTokens: number
  cacheCreationInputTokens: number
  cacheReadInputTokens: number
  /** Cache writes by TTL (they are priced apart), web searches, and the list-price cost:
   *  null when the model is unpriced. Absent in records spooled before these existed. */
  cacheCreation5mTokens: number
  cacheCreation1hTokens: number
  webSearchRequests: number
  costUsd: number | null
  /** How the cost was billed (src/usage/pricing-mode.ts); absent in records spooled before
   *  pricing modes existed. */
  pricingMode?: string
  /** A Message Batches results download: the succeeded results it reported, each counted
   *  once per (batch, custom id) however often the file is downloaded. */
  batchResults?: BatchResultRecord[]
  requestHeaders: Record<string, string>
  responseHeaders: Record<string, string> | null
  bodyJson: string | null
  bodyBytes: number
  responseJson: string | null
  responseBytes: number
  messageCount: number
  toolCallCount: number
  upstreamRequestId: string | null
  sessionId: string | null
  agentId: string | null
  /** Conversation link facts (src/conversations/link-facts.ts); absent in records spooled
   *  before they were derived here, which the linker then derives from the stored body. */
  linkFactsVersion?: number | null
  linkFacts?: LinkFacts | null
  /** The dashboard's search text (search-text.ts); absent in records spooled before it was
   *  built here, whose search document the database then derives from the bodies. */
  searchText?: string
  /** Set on records `nexus import` built from a Claude Code transcript (src/import/): where
   *  the row came from and the API message id it was imported under. Absent when proxied. */
  source?: string
  messageId?: string
  chunks: StreamChunk[]
}

/** How a proxied exchange ended. */
export type StreamEnd = 'done' | 'client_abort' | 'upstream_error' | 'timeout'

export interface StreamChunk {
  index: number
  offsetMs: number
  data: string
}
