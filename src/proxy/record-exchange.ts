import { gunzipSync, brotliDecompressSync, inflateSync } from 'node:zlib'
import type { ContentBlock, Usage } from '../anthropic-types.ts'
import { storableJson } from '../redact.ts'
import type { LinkFacts } from '../conversations/link-facts.ts'
import type { RequestRecord, StreamChunk } from '../storage/request-record.ts'
import { searchTextOf } from '../storage/search-text.ts'
import { batchResultRecords, batchResultsId } from '../usage/batch-results.ts'
import { DEFAULT_PRICE_TABLE } from '../usage/price-table.ts'
import { costWith, type CostOf } from '../usage/request-cost.ts'
import type { Exchange } from './exchange.ts'
import { headerValue, redactHeaders } from './headers.ts'
import { decodeRecordedStream } from './sse/decode-recorded-stream.ts'

/** Facts derived from the request body by other capabilities (conversations, usage). */
export interface RequestFacts {
  requestType: string | null
  sessionId: string | null
  agentId: string | null
  /** What the conversation linker needs, derived once here so it never re-reads the body. */
  linkFactsVersion: number | null
  linkFacts: LinkFacts | null
}

export type DeriveFacts = (input: {
  method: string
  path: string
  headers: Record<string, string>
  body: unknown
}) => RequestFacts

interface ResponseFacts {
  json: string | null
  /** The answer's content blocks, parsed (what the search document reads). */
  content: unknown
  model: string | null
  usage: Partial<Usage> | null
  toolCalls: number
  firstTokenMs: number | null
  error: { type: string; message: string } | null
  complete: boolean
}

/**
 * Turns what the proxy saw into the record that is stored. Runs after the client has its
 * response, so parsing here never delays the exchange itself.
 */
export function recordExchange(
  ex: Exchange,
  derive: DeriveFacts,
  keepChunks: boolean,
  costOf: CostOf = defaultCost,
): RequestRecord {
  const requestText = ex.requestBody?.toString('utf8') ?? ''
  const requestBody = parseJson(requestText)
  const bodyJson = requestBody === undefined ? null : storableJson(requestText)
  const requestHeaders = redactHeaders(ex.requestHeaders)
  // Facts come from the body as stored (secrets masked), exactly what a rebuild reads back.
  const storedBody = bodyJson === requestText ? requestBody : parseJson(bodyJson ?? '')
  const facts = derive({
    method: ex.method,
    path: ex.path,
    headers: requestHeaders,
    body: storedBody,
  })
  const response = ex.isStreaming ? readStream(ex) : readJson(ex)
  const error = ex.error ?? response.error
  const usage = response.usage ?? {}
  const requested = (requestBody as { model?: unknown } | undefined)?.model
  const model = typeof requested === 'string' ? requested : response.model
  // Priced by the model that actually answered; an alias resolves to a dated id there.
  const cost = costOf(response.model ?? model, response.usage)
  const batchId = ex.status === 200 ? batchResultsId(ex.method, ex.path) : null
  const batchText = batchId === null ? null : (decodedBody(ex)?.toString('utf8') ?? '')
  return {
    requestId: ex.requestId,
    timestamp: new Date(ex.startedAt).toISOString(),
    domain: ex.domain,
    accountId: ex.accountId,
    authSource: ex.authSource,
    method: ex.method,
    path: ex.path,
    query: ex.query,
    model,
    requestType: facts.requestType,
    isStreaming: ex.isStreaming,
    statusCode: ex.status,
    error: error?.message ?? null,
    errorType: error?.type ?? null,
    streamEnd:
      ex.isStreaming && ex.end === 'done' && !response.complete ? 'upstream_error' : ex.end,
    durationMs: ex.durationMs,
    firstTokenMs: response.firstTokenMs,
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    cacheCreationInputTokens: usage.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: usage.cache_read_input_tokens ?? 0,
    ...cost,
    requestHeaders,
    responseHeaders: ex.responseHeaders ? redactHeaders(ex.responseHeaders) : null,
    bodyJson,
    bodyBytes: ex.requestBody?.length ?? 0,
    responseJson: response.json,
    responseBytes: ex.chunks.reduce((n, c) => n + c.bytes.length, 0),
    messageCount: messageCount(requestBody),
    toolCallCount: response.toolCalls,
    upstreamRequestId: ex.responseHeaders
      ? (headerValue(ex.responseHeaders, 'request-id') ?? null)
      : null,
    sessionId: facts.sessionId,
    agentId: facts.agentId,
    linkFactsVersion: facts.linkFactsVersion,
    linkFacts: facts.linkFacts,
    searchText: searchTextOf(storedBody, response.content, error?.message ?? null),
    chunks: ex.isStreaming && keepChunks ? textChunks(ex) : [],
    ...(batchId !== null && batchText !== null
      ? { batchResults: batchResultRecords(batchId, batchText, costOf) }
      : {}),
  }
}

const defaultCost = costWith(DEFAULT_PRICE_TABLE)

function readJson(ex: Exchange): ResponseFacts {
  const text = decodedBody(ex)?.toString('utf8') ?? ''
  const parsed = parseJson(text) as JsonResponse | undefined
  const error = parsed?.type === 'error' ? parsed.error : undefined
  return {
    json: parsed === undefined ? null : storableJson(text),
    content: parsed?.content,
    model: typeof parsed?.model === 'string' ? parsed.model : null,
    usage: parsed?.usage ?? null,
    toolCalls: countToolCalls(parsed?.content),
    firstTokenMs: null,
    error: error ? { type: error.type, message: error.message } : null,
    complete: true,
  }
}

// A messages response or an error response; other endpoints only need to be stored.
interface JsonResponse {
  type?: string
  model?: unknown
  usage?: Partial<Usage>
  content?: ContentBlock[]
  error?: { type: string; message: string }
}

function readStream(ex: Exchange): ResponseFacts {
  const encoded = headerValue(ex.responseHeaders ?? {}, 'content-encoding')
  const chunks = encoded
    ? [{ bytes: decodedBody(ex) ?? Buffer.alloc(0), atMs: ex.chunks.at(-1)?.atMs ?? 0 }]
    : ex.chunks
  const decoded = decodeRecordedStream(chunks)
  return {
    json: decoded.message ? storableJson(JSON.stringify(decoded.message)) : null,
    content: decoded.message?.content,
    model: decoded.message?.model ?? null,
    usage: decoded.usage,
    toolCalls: decoded.toolCallCount,
    firstTokenMs: decoded.firstTokenAtMs === null ? null : Math.round(decoded.firstTokenAtMs),
    error: decoded.error,
    complete: decoded.complete,
  }
}

function decodedBody(ex: Exchange): Buffer | null {
  if (ex.chunks.length === 0) return null
  const raw = Buffer.concat(ex.chunks.map((c) => c.bytes))
  const encoding = headerValue(ex.responseHeaders ?? {}, 'content-encoding')
  try {
    if (encoding === 'gzip') return gunzipSync(raw)
    if (encoding === 'br') return brotliDecompressSync(raw)
    if (encoding === 'deflate') return inflateSync(raw)
  } catch {
    return null
  }
  return raw
}

// Stored chunk texts hold whole characters only: a character split across two network
// chunks is kept with the second, so the concatenation replays the exact stream.
function textChunks(ex: Exchange): StreamChunk[] {
  const decoder = new TextDecoder('utf-8', { fatal: false })
  return ex.chunks.map((c, index) => ({
    index,
    offsetMs: Math.round(c.atMs),
    data: decoder.decode(c.bytes, { stream: true }),
  }))
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function messageCount(body: unknown): number {
  const messages = (body as { messages?: unknown } | undefined)?.messages
  return Array.isArray(messages) ? messages.length : 0
}

function countToolCalls(content: ContentBlock[] | undefined): number {
  return Array.isArray(content) ? content.filter((b) => b.type === 'tool_use').length : 0
}
