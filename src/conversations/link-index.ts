import type { LinkCandidates, LinkRequest } from './link-decision.ts'
import type { LinkFacts } from './link-facts.ts'
import type {
  ConversationState,
  LinkedRequest,
  LookupKeys,
  Prefetched,
  SpawnState,
} from './link-model.ts'

/** How many earlier requests (or spawns) one lookup key yields, newest first. */
export const CANDIDATES_PER_KEY = 16

/** A request of the batch, with what its lookups need. */
export interface IndexedRequest extends LinkRequest {
  domain: string
  compactionSessionIds: string[]
  /** A continuation's summary key: finds the compaction call when no session names it. */
  summaryKey: string | null
}

/** A request with link facts, as the linker (and `conversations explain`) looks it up. */
export function indexedRequestOf(
  facts: LinkFacts,
  r: {
    requestId: string
    domain: string
    sessionId: string | null
    agentId: string | null
    timestamp: Date
  },
): IndexedRequest {
  const compactionSessionIds = facts.compaction
    ? [...new Set([r.sessionId, facts.compaction.transcriptSessionId].filter((s) => s !== null))]
    : []
  return {
    ...r,
    currentHash: facts.currentHash,
    parentHash: facts.parentHash,
    grandparentHash: facts.grandparentHash,
    systemHash: facts.systemHash,
    promptHash: facts.promptHash,
    continuesCompaction: facts.compaction !== null,
    compactionSessionIds,
    summaryKey: facts.compaction?.summaryKey ?? null,
  }
}

/**
 * The earlier requests a batch can link to: what the store prefetched (the newest
 * CANDIDATES_PER_KEY per key, all linked before the batch) plus the batch's own requests as
 * they get linked. A lookup returns the newest CANDIDATES_PER_KEY of the union, which is
 * exactly what a query for that one request would have returned: results do not depend on
 * how requests are cut into batches.
 */
export class LinkIndex {
  readonly #requests = new Map<string, LinkedRequest>()
  readonly #byHash = new Map<string, LinkedRequest[]>()
  readonly #bySession = new Map<string, LinkedRequest[]>()
  readonly #byAgent = new Map<string, LinkedRequest[]>()
  readonly #bySummary = new Map<string, LinkedRequest[]>()
  readonly #spawns = new Map<string, SpawnState[]>()
  readonly #conversations = new Map<string, ConversationState>()

  constructor(prefetched: Prefetched) {
    for (const request of prefetched.requests) {
      if (this.#requests.has(request.requestId)) continue
      this.#requests.set(request.requestId, request)
      for (const [map, key] of this.#keysOf(request)) push(map, key, request)
    }
    for (const list of [
      ...this.#byHash.values(),
      ...this.#bySession.values(),
      ...this.#byAgent.values(),
      ...this.#bySummary.values(),
    ]) {
      list.sort((a, b) => b.seq - a.seq)
    }
    for (const spawn of prefetched.spawns)
      push(this.#spawns, spawnKey(spawn.domain, spawn.promptHash), spawn)
    for (const list of this.#spawns.values()) list.sort(bySpawnOrder)
    for (const conversation of prefetched.conversations) {
      this.#conversations.set(conversation.conversationId, conversation)
    }
  }

  candidatesFor(request: IndexedRequest): LinkCandidates {
    const { domain } = request
    const hashes = (hash: string | null) =>
      hash === null ? [] : newest(this.#byHash.get(key(domain, hash)))
    const sessions = request.compactionSessionIds.flatMap((sessionId) =>
      newest(this.#bySession.get(key(domain, sessionId, request.agentId ?? ''))),
    )
    return {
      parents: hashes(request.parentHash),
      grandparents: hashes(request.grandparentHash),
      sameHash: hashes(request.currentHash),
      spawns:
        request.promptHash === null
          ? []
          : newest(this.#spawns.get(spawnKey(domain, request.promptHash))),
      compactionTargets: sessions.sort((a, b) => b.seq - a.seq),
      agentPeers:
        request.agentId === null ? [] : newest(this.#byAgent.get(key(domain, request.agentId))),
      summarised:
        request.summaryKey === null
          ? []
          : newest(this.#bySummary.get(key(domain, request.summaryKey))),
    }
  }

  /** Adds a request linked in this batch; it is newer than everything already indexed. */
  addLinked(request: LinkedRequest): void {
    this.#requests.set(request.requestId, request)
    for (const [map, k] of this.#keysOf(request)) unshift(map, k, request)
  }

  /** Adds the spawns of a response linked in this batch, in tool-call order. */
  addSpawns(spawns: readonly SpawnState[]): void {
    for (const spawn of spawns.toReversed())
      unshift(this.#spawns, spawnKey(spawn.domain, spawn.promptHash), spawn)
  }

  addConversation(conversation: ConversationState): void {
    this.#conversations.set(conversation.conversationId, conversation)
  }

  getConversation(conversationId: string): ConversationState {
    const found = this.#conversations.get(conversationId)
    if (!found) throw new Error(`conversation ${conversationId} was not prefetched`)
    return found
  }

  getRequest(requestId: string): LinkedRequest {
    const found = this.#requests.get(requestId)
    if (!found) throw new Error(`request ${requestId} is not indexed`)
    return found
  }

  // The same conditions as the store's lookups: every indexed request is linked; session and
  // agent lists only hold requests that have one.
  #keysOf(r: LinkedRequest): [Map<string, LinkedRequest[]>, string][] {
    const keys: [Map<string, LinkedRequest[]>, string][] = [
      [this.#byHash, key(r.domain, r.currentHash)],
    ]
    if (r.sessionId !== null)
      keys.push([this.#bySession, key(r.domain, r.sessionId, r.agentId ?? '')])
    if (r.agentId !== null) keys.push([this.#byAgent, key(r.domain, r.agentId)])
    if (r.compactionCall !== null) keys.push([this.#bySummary, key(r.domain, r.compactionCall)])
    return keys
  }
}

/** The keys a batch looks up, for the store's prefetch. */
export function lookupKeysOf(requests: readonly IndexedRequest[]): LookupKeys {
  const keys: LookupKeys = { hashes: [], sessions: [], agents: [], prompts: [], summaries: [] }
  const seen = new Set<string>()
  const once = (k: string) => !seen.has(k) && Boolean(seen.add(k))
  for (const r of requests) {
    for (const hash of [r.currentHash, r.parentHash, r.grandparentHash]) {
      if (hash !== null && once(key('h', r.domain, hash)))
        keys.hashes.push({ domain: r.domain, hash })
    }
    for (const sessionId of r.compactionSessionIds) {
      if (once(key('s', r.domain, sessionId, r.agentId ?? ''))) {
        keys.sessions.push({ domain: r.domain, sessionId, agentId: r.agentId })
      }
    }
    if (r.agentId !== null && once(key('a', r.domain, r.agentId))) {
      keys.agents.push({ domain: r.domain, agentId: r.agentId })
    }
    if (r.summaryKey !== null && once(key('c', r.domain, r.summaryKey))) {
      keys.summaries.push({ domain: r.domain, summaryKey: r.summaryKey })
    }
    if (r.promptHash !== null && once(key('p', r.domain, r.promptHash))) {
      keys.prompts.push({ domain: r.domain, promptHash: r.promptHash })
    }
  }
  return keys
}

function key(...parts: string[]): string {
  return parts.join('\u0000')
}

function spawnKey(domain: string, promptHash: string): string {
  return key(domain, promptHash)
}

// The store's order: newest spawning request first, then the order of its tool calls.
function bySpawnOrder(a: SpawnState, b: SpawnState): number {
  return b.seq - a.seq || a.toolIndex - b.toolIndex
}

function newest<T>(list: T[] | undefined): T[] {
  return list ? list.slice(0, CANDIDATES_PER_KEY) : []
}

function push<T>(map: Map<string, T[]>, k: string, value: T) {
  const list = map.get(k)
  if (list) list.push(value)
  else map.set(k, [value])
}

function unshift<T>(map: Map<string, T[]>, k: string, value: T) {
  const list = map.get(k)
  if (list) list.unshift(value)
  else map.set(k, [value])
}
