import { normalizeMessages, type NormalizedMessage } from './normalize-messages.ts'
import { readMessagesBody, type MessagesRequest } from './request-body.ts'
import { matchSideCall } from './side-calls.ts'

export type RequestType = 'inference' | 'query_evaluation' | 'quota' | 'internal' | 'count_tokens'

export interface ClassifyInput {
  method: string
  /** Request path; a query string (`?beta=true`) is ignored. */
  path: string
  /** The parsed JSON body, or anything else when it was not JSON. */
  body: unknown
}

/**
 * What kind of request this is. Every type is stored; only `inference` requests are meant
 * to be linked into conversations. Rules, first match wins:
 *
 * 1. `count_tokens` — the path ends in `/v1/messages/count_tokens`.
 * 2. `internal` — anything that is not `POST …/v1/messages`: models, batches, files and the
 *    rest of the API. They carry no conversation turn.
 * 3. `inference` — a messages call whose body has no `messages` array (upstream rejects it;
 *    it is still a user's attempt at a turn and is stored as one).
 * 4. `quota` — `max_tokens` ≤ 1 on a request that is a single user message: Claude Code's
 *    quota probe (`"quota"`, one token). A one-token answer can never be a conversation turn.
 * 5. `internal` / `query_evaluation` — Claude Code side calls recognised by the fixed prompts
 *    listed in side-calls.ts: titles, topic detection, session and progress summaries, web
 *    page digests, warm-ups and prompt suggestions are `internal`; command prefix and file
 *    path checks, hook conditions and user-sentiment checks, where Claude Code asks a model
 *    to judge a command or the user's query, are `query_evaluation`.
 * 6. `inference` — everything else, including the compaction call itself (it carries the
 *    whole conversation and is what the `compact_…` branch continues from) and any client we
 *    do not recognise, so no conversation is ever lost to a guess.
 *
 * The seed called any request with exactly one system prompt `query_evaluation`; that rule
 * hid whole conversations of ordinary API clients and is deliberately not used.
 */
export function classifyRequest({ method, path, body }: ClassifyInput): RequestType {
  const route = routeOf(path)
  if (route.endsWith('/v1/messages/count_tokens')) return 'count_tokens'
  if (method.toUpperCase() !== 'POST' || !route.endsWith('/v1/messages')) return 'internal'
  const request = readMessagesBody(body)
  if (request === undefined) return 'inference'
  const normalized = normalizeMessages(request.messages)
  if (isQuotaProbe(request, normalized)) return 'quota'
  return matchSideCall(request, normalized) ?? 'inference'
}

function isQuotaProbe(request: MessagesRequest, normalized: readonly NormalizedMessage[]): boolean {
  const oneUserMessage = normalized.length === 1 && normalized[0]?.role === 'user'
  return request.maxTokens !== undefined && request.maxTokens <= 1 && oneUserMessage
}

function routeOf(path: string): string {
  const end = path.search(/[?#]/)
  const route = end < 0 ? path : path.slice(0, end)
  return route.replace(/\/+$/, '')
}
