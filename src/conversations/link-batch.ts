import { decideLink, type LinkDecision } from './link-decision.ts'
import {
  deriveRequest,
  LINK_FACTS_VERSION,
  linkFactsOf,
  spawnFactsOf,
  type LinkFacts,
} from './link-facts.ts'
import { summaryKeyOfAnswer } from './compaction-summary.ts'
import { indexedRequestOf, LinkIndex, lookupKeysOf, type IndexedRequest } from './link-index.ts'
import type { LinkTransaction } from './store-ports.ts'
import {
  TURN_LINKS,
  UNLINKED,
  type ConversationState,
  type PendingRequest,
  type RequestLinks,
  type RequestWrite,
  type SpawnState,
} from './link-model.ts'

/** A request whose links a rebuild would change. */
export interface LinkDifference {
  seq: number
  requestId: string
  before: RequestLinks & { requestType: string | null }
  after: RequestLinks & { requestType: string | null }
}

interface Prepared extends RequestWrite {
  pending: PendingRequest
}

/**
 * Links the next `limit` requests after the mark, in seq order, and moves the mark past them.
 * Returns how many requests it read (0 when there was nothing to do).
 */
export async function linkBatch(
  tx: LinkTransaction,
  limit: number,
  onDifference?: (difference: LinkDifference) => void,
): Promise<number> {
  const { linkedThrough, requests: pending } = await tx.readPending(limit)
  const last = pending.at(-1)
  if (!last) return 0
  const prepared = pending.map((p) => withCompactionCall(prepare(p)))
  const linkable = prepared.flatMap((p) => {
    const request = indexedRequest(p)
    return request ? [{ prepared: p, request }] : []
  })
  const index = new LinkIndex(
    await tx.prefetch(lookupKeysOf(linkable.map((l) => l.request)), linkedThrough),
  )
  const touched = { conversations: new Set<ConversationState>(), spawns: new Set<SpawnState>() }
  for (const { prepared: p, request } of linkable) {
    p.links = apply(index, p, decideLink(request, index.candidatesFor(request)), touched)
  }
  const requests = prepared.filter(changed)
  if (onDifference) {
    for (const p of requests) if (linksDiffer(p)) onDifference(differenceOf(p))
  }
  await tx.write({
    requests: requests.map(({ pending: _, ...write }) => write),
    conversations: [...touched.conversations],
    spawns: [...touched.spawns],
    linkedThrough: last.seq,
  })
  return pending.length
}

// Facts are derived once, from the stored bytes, the first time a request is linked (or
// again after `rebuild --rehash` cleared them).
function prepare(pending: PendingRequest): Prepared {
  const base = {
    pending,
    requestId: pending.requestId,
    requestType: pending.requestType,
    sessionId: pending.sessionId,
    agentId: pending.agentId,
    factsVersion: pending.factsVersion,
    facts: pending.facts,
    compactionCall: null,
    links: UNLINKED,
  }
  // Only inference requests carry link facts; anything else found with some keeps none.
  if (pending.stored === null)
    return pending.requestType === 'inference' ? base : { ...base, facts: null, factsVersion: null }
  if (pending.requestType === null || pending.reclassify) {
    const derived = deriveRequest(pending.stored)
    return { ...base, ...derived, factsVersion: factsVersionOf(derived.requestType) }
  }
  const facts = pending.requestType === 'inference' ? linkFactsOf(pending.stored.body) : null
  return { ...base, facts, factsVersion: factsVersionOf(pending.requestType) }
}

// A compaction call is remembered by the summary its answer gave, so that a continuation
// without session evidence still finds it (the answer is known only once the call is stored).
function withCompactionCall(p: Prepared): Prepared {
  if (p.requestType !== 'inference' || p.facts?.asksCompaction !== true) return p
  return { ...p, compactionCall: summaryKeyOfAnswer(p.pending.responseContent) }
}

function factsVersionOf(requestType: string): number | null {
  return requestType === 'inference' ? LINK_FACTS_VERSION : null
}

// Only inference requests with messages take part in conversations; the rest keep null links.
function indexedRequest(p: Prepared): IndexedRequest | undefined {
  if (p.requestType !== 'inference' || p.facts === null) return undefined
  return indexedRequestOf(p.facts, {
    requestId: p.requestId,
    domain: p.pending.domain,
    sessionId: p.sessionId,
    agentId: p.agentId,
    timestamp: p.pending.timestamp,
  })
}

function apply(
  index: LinkIndex,
  p: Prepared,
  decision: LinkDecision,
  touched: { conversations: Set<ConversationState>; spawns: Set<SpawnState> },
): RequestLinks {
  const { pending } = p
  const conversation =
    decision.linkKind === 'root'
      ? startConversation(index, pending)
      : index.getConversation(decision.conversationId)
  countRequest(conversation, pending)
  touched.conversations.add(conversation)
  const branchId =
    decision.branch.kind === 'keep'
      ? decision.branch.branchId
      : nextBranch(conversation, decision.branch.prefix)
  if (decision.claims) {
    decision.claims.claimedBy = p.requestId
    decision.claims.claimedAgentId = p.agentId
    conversation.subtaskCount++
    touched.spawns.add(decision.claims)
  }
  if (TURN_LINKS.has(decision.linkKind) && decision.parentRequestId !== null) {
    index.getRequest(decision.parentRequestId).hasChildren = true
  }
  const links: RequestLinks = {
    conversationId: decision.conversationId,
    branchId,
    linkKind: decision.linkKind,
    parentRequestId: decision.parentRequestId,
    isSubtask: decision.isSubtask,
    parentTaskRequestId: decision.parentTaskRequestId,
  }
  index.addLinked({
    conversationId: decision.conversationId,
    branchId,
    linkKind: decision.linkKind,
    parentRequestId: decision.parentRequestId,
    isSubtask: decision.isSubtask,
    parentTaskRequestId: decision.parentTaskRequestId,
    requestId: p.requestId,
    seq: pending.seq,
    domain: pending.domain,
    currentHash: p.facts?.currentHash ?? '',
    systemHash: p.facts?.systemHash ?? null,
    sessionId: p.sessionId,
    agentId: p.agentId,
    timestamp: pending.timestamp,
    compactionCall: p.compactionCall,
    hasChildren: false,
  })
  const spawns = spawnFactsOf(pending.responseContent).map((fact) => ({
    ...fact,
    requestId: p.requestId,
    seq: pending.seq,
    domain: pending.domain,
    sessionId: p.sessionId,
    conversationId: decision.conversationId,
    subtaskNumber: ++conversation.spawnCount,
    claimedBy: null,
    claimedAgentId: null,
  }))
  index.addSpawns(spawns)
  for (const spawn of spawns) touched.spawns.add(spawn)
  return links
}

function startConversation(index: LinkIndex, pending: PendingRequest): ConversationState {
  const conversation: ConversationState = {
    conversationId: pending.requestId,
    domain: pending.domain,
    accountId: pending.accountId,
    startedAt: pending.timestamp,
    lastAt: pending.timestamp,
    requestCount: 0,
    messageCount: 0,
    totalTokens: 0,
    models: [],
    branchCount: 0,
    compactCount: 0,
    spawnCount: 0,
    subtaskCount: 0,
  }
  index.addConversation(conversation)
  return conversation
}

function countRequest(conversation: ConversationState, pending: PendingRequest) {
  conversation.requestCount++
  if (pending.timestamp < conversation.startedAt) conversation.startedAt = pending.timestamp
  if (pending.timestamp > conversation.lastAt) conversation.lastAt = pending.timestamp
  conversation.messageCount = Math.max(conversation.messageCount, pending.messageCount)
  conversation.totalTokens += pending.totalTokens
  if (pending.model !== null && !conversation.models.includes(pending.model)) {
    conversation.models.push(pending.model)
  }
}

// Numbered per conversation in link order, so a rebuild hands out the same numbers.
function nextBranch(conversation: ConversationState, prefix: 'branch' | 'compact'): string {
  if (prefix === 'branch') return `branch_${++conversation.branchCount}`
  return `compact_${++conversation.compactCount}`
}

function changed(p: Prepared): boolean {
  const { pending } = p
  return (
    p.factsVersion !== pending.factsVersion ||
    p.requestType !== pending.requestType ||
    p.sessionId !== pending.sessionId ||
    p.agentId !== pending.agentId ||
    p.compactionCall !== pending.compactionCall ||
    !sameFacts(p.facts, pending.facts) ||
    linksDiffer(p)
  )
}

function sameFacts(a: LinkFacts | null, b: LinkFacts | null): boolean {
  if (a === null || b === null) return a === b
  return (
    a.currentHash === b.currentHash &&
    a.parentHash === b.parentHash &&
    a.grandparentHash === b.grandparentHash &&
    a.systemHash === b.systemHash &&
    a.promptHash === b.promptHash &&
    a.compaction?.format === b.compaction?.format &&
    a.compaction?.transcriptSessionId === b.compaction?.transcriptSessionId &&
    a.compaction?.summaryKey === b.compaction?.summaryKey &&
    a.asksCompaction === b.asksCompaction
  )
}

function linksDiffer(p: Prepared): boolean {
  const before = p.pending.links
  return (
    p.requestType !== p.pending.requestType ||
    (Object.keys(before) as (keyof RequestLinks)[]).some((k) => before[k] !== p.links[k])
  )
}

function differenceOf(p: Prepared): LinkDifference {
  return {
    seq: p.pending.seq,
    requestId: p.requestId,
    before: { ...p.pending.links, requestType: p.pending.requestType },
    after: { ...p.links, requestType: p.requestType },
  }
}
