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
  /** Compaction calls whose answer gave this continuation's summary, newest first. */
  summarised: readonly LinkedRequest[]
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
 * One linking rule: when it applies to a request at all, and the decision it makes from the
 * candidates (undefined: no match, the next rule is tried).
 */
export interface LinkRule {
  name: LinkKind
  /** The rule's condition in words, for `nexus conversations explain`. */
  condition: string
  /** Why the rule cannot apply to this request whatever the candidates; undefined if it can. */
  notApplicable(request: LinkRequest): string | undefined
  decide(request: LinkRequest, found: LinkCandidates): LinkDecision | undefined
}

/**
 * The rules in the order they are tried; the first decision wins (docs/conversations.md has
 * the rules and their reasons). `decideLink` and `nexus conversations explain` both use this
 * list, so an explanation is never a second implementation that could drift.
 */
export const LINK_RULES: readonly LinkRule[] = [
  {
    name: 'parent',
    condition: "an earlier request's messages are this request's minus the last exchange",
    notApplicable: (r) => (r.parentHash === null ? 'it has only one exchange' : undefined),
    decide(request, found) {
      const parent = bestMatch(request, found.parents)
      return parent && continueTurn('parent', parent, request, found)
    },
  },
  {
    name: 'grandparent',
    condition: "an earlier request's messages are this request's minus the last two exchanges",
    notApplicable: (r) =>
      r.grandparentHash === null ? 'it has fewer than three exchanges' : undefined,
    decide(request, found) {
      const grandparent = bestMatch(request, found.grandparents)
      return grandparent && continueTurn('grandparent', grandparent, request, found)
    },
  },
  {
    name: 'compaction',
    condition:
      'it continues a compacted conversation: the compaction call of the session it names, or the call whose answer is its summary',
    notApplicable: (r) =>
      r.continuesCompaction ? undefined : 'it does not start with a continuation summary',
    decide: (request, found) => continueCompaction(request, found),
  },
  {
    name: 'subtask',
    condition: "its single prompt is the prompt of an earlier request's Agent/Task call",
    notApplicable: (r) => (r.promptHash === null ? 'it is not a single-prompt request' : undefined),
    decide(request, found) {
      const spawn = chooseSpawn(request, found.spawns)
      return spawn && startSubtask(spawn)
    },
  },
  {
    name: 'retry',
    condition:
      'the same first messages sent again, by the same agent, in the same session (without sessions: the same system prompt within 5 minutes)',
    notApplicable: (r) => (r.parentHash === null ? undefined : 'it is not a first request'),
    decide(request, found) {
      const resent = findResentFirst(request, found.sameHash)
      if (!resent) return undefined
      return {
        ...inherit(resent),
        linkKind: 'retry',
        parentRequestId: resent.parentRequestId,
        branch: keep(resent.branchId),
      }
    },
  },
  {
    name: 'agent',
    condition: "a sub-agent request whose parent was lost joins its agent id's newest request",
    notApplicable: (r) => (r.agentId === null ? 'it carries no agent id' : undefined),
    decide(request, found) {
      const peer = found.agentPeers[0]
      return peer && continueTurn('agent', peer, request, found)
    },
  },
  {
    name: 'root',
    condition: 'nothing above matched: it starts a conversation of its own',
    notApplicable: () => undefined,
    decide: (request) => ({
      linkKind: 'root',
      conversationId: request.requestId,
      parentRequestId: null,
      branch: keep('main'),
      // Only sub-agents send an agent id: one whose spawn was never seen is still sub-agent work.
      isSubtask: request.agentId !== null,
      parentTaskRequestId: null,
    }),
  },
]

/**
 * Where a request belongs: the first rule of LINK_RULES that decides. Pure: the same request
 * and candidates always give the same decision, which is what makes live linking and a
 * rebuild agree.
 */
export function decideLink(request: LinkRequest, found: LinkCandidates): LinkDecision {
  for (const rule of LINK_RULES) {
    if (rule.notApplicable(request) !== undefined) continue
    const decision = rule.decide(request, found)
    if (decision) return decision
  }
  throw new Error('the root rule always decides')
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
function continueCompaction(request: LinkRequest, found: LinkCandidates): LinkDecision | undefined {
  const resent = found.sameHash.find((r) => r.linkKind === 'compaction')
  if (resent) {
    return {
      ...inherit(resent),
      linkKind: 'compaction',
      parentRequestId: resent.parentRequestId,
      branch: keep(resent.branchId),
    }
  }
  // Without session evidence, the call whose answer is the summary; the same agent first, as
  // the session lookup would have.
  const summarised = found.compactionTargets[0] ?? bestMatch(request, found.summarised)
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
