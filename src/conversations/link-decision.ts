import type { LinkedRequest, LinkKind, SpawnState } from './link-model.ts'
import { TURN_LINKS } from './link-model.ts'

/** The request being linked: its facts and session evidence. */
export interface LinkRequest {
  requestId: string
  currentHash: string
  parentHash: string | null
  grandparentHash: string | null
  systemHash: string | null
  promptHash: string | null
  continuesCompaction: boolean
  sessionId: string | null
  agentId: string | null
  /** When the proxy received it. */
  timestamp: Date
}

/**
 * Earlier linked requests of the same domain, newest first (at most CANDIDATES_PER_KEY each),
 * as the store found them.
 */
export interface LinkCandidates {
  /** current hash = this request's parent hash. */
  parents: readonly LinkedRequest[]
  /** current hash = this request's grandparent hash. */
  grandparents: readonly LinkedRequest[]
  /** current hash = this request's own hash: earlier sends of the same messages. */
  sameHash: readonly LinkedRequest[]
  /** Spawns whose prompt hash = this request's prompt hash (newest spawner first). */
  spawns: readonly SpawnState[]
  /** Newest requests of the session(s) a compaction continuation names, same agent. */
  compactionTargets: readonly LinkedRequest[]
  /** Newest requests with this request's agent id. */
  agentPeers: readonly LinkedRequest[]
}

export type BranchChoice =
  { kind: 'keep'; branchId: string } | { kind: 'new'; prefix: 'branch' | 'compact' }

export interface LinkDecision {
  linkKind: LinkKind
  conversationId: string
  parentRequestId: string | null
  branch: BranchChoice
  isSubtask: boolean
  parentTaskRequestId: string | null
  /** The spawn this request is the first to take: it becomes claimed. */
  claims?: SpawnState
}

/**
 * Where a request belongs (docs/conversations.md has the rules and their reasons). Pure: the
 * same request and candidates always give the same decision, which is what makes live linking
 * and a rebuild agree.
 */
export function decideLink(request: LinkRequest, found: LinkCandidates): LinkDecision {
  const parent = bestMatch(request, found.parents)
  if (parent) return continueTurn('parent', parent, request, found)
  const grandparent = bestMatch(request, found.grandparents)
  if (grandparent) return continueTurn('grandparent', grandparent, request, found)
  if (request.continuesCompaction) {
    const continued = continueCompaction(found)
    if (continued) return continued
  }
  const spawn = request.promptHash === null ? undefined : chooseSpawn(request, found.spawns)
  if (spawn) return startSubtask(spawn)
  const resent = request.parentHash === null ? findResentFirst(request, found.sameHash) : undefined
  if (resent)
    return {
      ...inherit(resent),
      linkKind: 'retry',
      parentRequestId: resent.parentRequestId,
      branch: keep(resent.branchId),
    }
  const peer = request.agentId === null ? undefined : found.agentPeers[0]
  if (peer) return continueTurn('agent', peer, request, found)
  return {
    linkKind: 'root',
    conversationId: request.requestId,
    parentRequestId: null,
    branch: keep('main'),
    // Only sub-agents send an agent id: one whose spawn was never seen is still sub-agent work.
    isSubtask: request.agentId !== null,
    parentTaskRequestId: null,
  }
}

/**
 * Prefers the same system prompt (SPEC §4), then the same agent (sub-agents running the same
 * prompt in parallel), then the same session, then the newest.
 */
export function bestMatch(
  request: LinkRequest,
  candidates: readonly LinkedRequest[],
): LinkedRequest | undefined {
  let best: LinkedRequest | undefined
  let bestScore = -1
  for (const candidate of candidates) {
    const score =
      (candidate.systemHash === request.systemHash ? 4 : 0) +
      (candidate.agentId === request.agentId ? 2 : 0) +
      (request.sessionId !== null && candidate.sessionId === request.sessionId ? 1 : 0)
    // Candidates come newest first, so a tie keeps the newer one.
    if (score > bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return best
}

function continueTurn(
  linkKind: 'parent' | 'grandparent' | 'agent',
  parent: LinkedRequest,
  request: LinkRequest,
  found: LinkCandidates,
): LinkDecision {
  // The same messages already continued this parent: a retry stays on that request's branch.
  const resent = found.sameHash.find(
    (r) => r.parentRequestId === parent.requestId && TURN_LINKS.has(r.linkKind),
  )
  const branch: BranchChoice = resent
    ? keep(resent.branchId)
    : parent.hasChildren
      ? { kind: 'new', prefix: 'branch' }
      : keep(parent.branchId)
  return { ...inherit(parent), linkKind, parentRequestId: parent.requestId, branch }
}

// The continuation sent again keeps its branch; otherwise the newest request of the session it
// names (the compaction call itself) gets a new compact_N branch.
function continueCompaction(found: LinkCandidates): LinkDecision | undefined {
  const resent = found.sameHash.find((r) => r.linkKind === 'compaction')
  if (resent) {
    return {
      ...inherit(resent),
      linkKind: 'compaction',
      parentRequestId: resent.parentRequestId,
      branch: keep(resent.branchId),
    }
  }
  const summarised = found.compactionTargets[0]
  if (!summarised) return undefined
  return {
    ...inherit(summarised),
    linkKind: 'compaction',
    parentRequestId: summarised.requestId,
    branch: { kind: 'new', prefix: 'compact' },
  }
}

function startSubtask(spawn: SpawnState): LinkDecision {
  const decision: LinkDecision = {
    linkKind: 'subtask',
    conversationId: spawn.conversationId,
    parentRequestId: spawn.requestId,
    branch: keep(`subtask_${spawn.subtaskNumber}`),
    isSubtask: true,
    parentTaskRequestId: spawn.requestId,
  }
  if (spawn.claimedBy === null) decision.claims = spawn
  return decision
}

/**
 * The spawn a sub-agent's first request answers. The agent that already took a spawn keeps it
 * (a retry); otherwise the same session's newest spawn nobody took yet, in tool-call order, so
 * parallel sub-agents with the same prompt each get their own.
 */
export function chooseSpawn(
  request: LinkRequest,
  spawns: readonly SpawnState[],
): SpawnState | undefined {
  if (request.agentId !== null) {
    const mine = spawns.find((s) => s.claimedAgentId === request.agentId)
    if (mine) return mine
  }
  let best: SpawnState | undefined
  let bestScore = -1
  for (const spawn of spawns) {
    const score =
      (request.sessionId !== null && spawn.sessionId === request.sessionId ? 2 : 0) +
      (spawn.claimedBy === null ? 1 : 0)
    if (score > bestScore) {
      best = spawn
      bestScore = score
    }
  }
  return best
}

/** How far apart a first request and its retry may be when neither names a session. */
export const RETRY_WINDOW_MS = 5 * 60_000

/**
 * A first request sent again (after a 529, or the non-streaming fallback after a dropped
 * stream) with the same agent. Two people may well open two conversations with the same words,
 * so it takes the same session; without any session evidence on either side, the same system
 * prompt within RETRY_WINDOW_MS — a client that names no session cannot be told apart
 * otherwise, and a retry follows within seconds. No system prompt at all is too little to go
 * on: any two API clients saying "hi" would match.
 */
function findResentFirst(
  request: LinkRequest,
  sameHash: readonly LinkedRequest[],
): LinkedRequest | undefined {
  return sameHash.find(
    (r) =>
      (r.linkKind === 'root' || r.linkKind === 'retry') &&
      r.agentId === request.agentId &&
      sameOrigin(request, r),
  )
}

function sameOrigin(request: LinkRequest, earlier: LinkedRequest): boolean {
  if (request.sessionId !== null || earlier.sessionId !== null) {
    return earlier.sessionId === request.sessionId
  }
  const apart = Math.abs(request.timestamp.getTime() - earlier.timestamp.getTime())
  return (
    request.systemHash !== null &&
    earlier.systemHash === request.systemHash &&
    apart <= RETRY_WINDOW_MS
  )
}

function inherit(from: LinkedRequest) {
  return {
    conversationId: from.conversationId,
    isSubtask: from.isSubtask,
    parentTaskRequestId: from.parentTaskRequestId,
  }
}

function keep(branchId: string): BranchChoice {
  return { kind: 'keep', branchId }
}
