import { randomUUID } from 'node:crypto'
import type { RequestRecord } from '../storage/request-record.ts'

/** A stored-request record for usage tests: a successful Messages call with no tokens. */
export function usageRecord(parts: Partial<RequestRecord> & { domain: string }): RequestRecord {
  return {
    requestId: randomUUID(),
    timestamp: '2026-11-25T10:00:00.000Z',
    accountId: null,
    authSource: 'api_key',
    method: 'POST',
    path: '/v1/messages',
    query: null,
    model: 'claude-sonnet-4-5-20250929',
    requestType: 'inference',
    isStreaming: false,
    statusCode: 200,
    error: null,
    errorType: null,
    streamEnd: 'done',
    durationMs: 100,
    firstTokenMs: null,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    cacheCreation5mTokens: 0,
    cacheCreation1hTokens: 0,
    webSearchRequests: 0,
    costUsd: 0,
    requestHeaders: {},
    responseHeaders: null,
    bodyJson: null,
    bodyBytes: 0,
    responseJson: null,
    responseBytes: 0,
    messageCount: 1,
    toolCallCount: 0,
    upstreamRequestId: null,
    sessionId: null,
    agentId: null,
    chunks: [],
    ...parts,
  }
}

export function randomId(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`
}
