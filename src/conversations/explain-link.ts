import { LINK_RULES, type LinkDecision } from './link-decision.ts'
import type { LinkFacts } from './link-facts.ts'
import { indexedRequestOf, LinkIndex } from './link-index.ts'
import type { LinkedRequest, RequestLinks, SpawnState } from './link-model.ts'

/** A stored request as `nexus conversations explain` reads it. */
export interface ExplainSubject {
  requestId: string
  seq: number
  domain: string
  timestamp: Date
  requestType: string | null
  sessionId: string | null
  agentId: string | null
  facts: LinkFacts | null
  links: RequestLinks
  compactionCall: string | null
  /** Whether a turn already continued it before the other request arrived. */
  hasChildren: boolean
  /** Its Agent/Task calls, as a sub-agent's first request is matched to them. */
  spawns: SpawnState[]
}

export type Verdict = 'links' | 'joins' | 'no match' | 'not applicable' | 'other conversation'

export interface RuleVerdict {
  rule: string
  condition: string
  verdict: Verdict
  /** The first rule that decides is the one the linker would have used. */
  decides: boolean
  detail: string
}

export interface Explanation {
  a: string
  b: string
  /** What must hold before any rule can link B to A. */
  checks: { check: string; ok: boolean; detail: string }[]
  rules: RuleVerdict[]
  /** B's stored links: what the linker actually decided, with every candidate it had. */
  actual: RequestLinks
  /** Whether B is stored as linked to A (its parent, or in A's conversation as a retry). */
  linked: boolean
}

/**
 * Why B did or did not link to A: each linking rule run on B with A as the only earlier
 * request (through the linker's own candidate index and LINK_RULES), and B's stored links.
 * The stored links may name another request: the linker had every earlier request to choose
 * from, and prefers the same system prompt, agent and session.
 */
export function explainLink(a: ExplainSubject, b: ExplainSubject): Explanation {
  const checks = preconditions(a, b)
  const actual = b.links
  const linked =
    actual.parentRequestId === a.requestId ||
    (actual.conversationId !== null &&
      actual.conversationId === a.links.conversationId &&
      actual.linkKind !== 'root')
  const result = { a: a.requestId, b: b.requestId, checks, actual, linked }
  const linkedA = checks.every((c) => c.ok) ? linkedRequestOf(a) : undefined
  if (!linkedA || b.facts === null) return { ...result, rules: [] }
  const request = indexedRequestOf(b.facts, b)
  const index = new LinkIndex({
    requests: [linkedA],
    spawns: a.spawns.map((s) => (s.claimedBy === b.requestId ? unclaimed(s) : s)),
    conversations: [],
  })
  const found = index.candidatesFor(request)
  let decided = false
  const rules = LINK_RULES.map((rule): RuleVerdict => {
    const base = { rule: rule.name, condition: rule.condition, detail: detailOf(rule.name, a, b) }
    const why = rule.notApplicable(request)
    if (why !== undefined)
      return { ...base, verdict: 'not applicable', decides: false, detail: why }
    const decision = rule.decide(request, found)
    const decides = decision !== undefined && !decided
    decided ||= decides
    return { ...base, verdict: verdictOf(decision, a), decides }
  })
  return { ...result, rules }
}

function preconditions(a: ExplainSubject, b: ExplainSubject) {
  return [
    {
      check: 'same domain',
      ok: a.domain === b.domain,
      detail: `${a.domain} / ${b.domain}: requests link only within their domain`,
    },
    {
      check: 'A came first',
      ok: a.seq < b.seq,
      detail: `A is #${a.seq}, B is #${b.seq} in arrival order`,
    },
    {
      check: 'A is linked',
      ok: a.facts !== null && a.links.conversationId !== null,
      detail:
        a.facts === null
          ? `A is ${a.requestType ?? 'not classified yet'}${a.requestType === 'inference' ? ' without messages or not linked yet' : ''}: only linked inference requests are candidates`
          : `A is in conversation ${a.links.conversationId} (${a.links.linkKind})`,
    },
    {
      check: 'B has link facts',
      ok: b.facts !== null,
      detail:
        b.facts === null
          ? `B is ${b.requestType ?? 'not classified yet'}: only inference requests with messages are linked (run the linker or \`nexus conversations rebuild\`)`
          : 'B is an inference request with messages',
    },
  ]
}

function verdictOf(decision: LinkDecision | undefined, a: ExplainSubject): Verdict {
  if (!decision) return 'no match'
  if (decision.parentRequestId === a.requestId) return 'links'
  if (decision.linkKind === 'root') return 'other conversation'
  return decision.conversationId === a.links.conversationId ? 'joins' : 'other conversation'
}

const short = (hash: string | null | undefined) => (hash ? hash.slice(0, 12) : 'none')

function detailOf(rule: string, a: ExplainSubject, b: ExplainSubject): string {
  const af = a.facts
  const bf = b.facts
  switch (rule) {
    case 'parent':
      return `B's parent hash ${short(bf?.parentHash)}, A's message hash ${short(af?.currentHash)}`
    case 'grandparent':
      return `B's grandparent hash ${short(bf?.grandparentHash)}, A's message hash ${short(af?.currentHash)}`
    case 'compaction':
      return `B names session ${bf?.compaction?.transcriptSessionId ?? b.sessionId ?? 'none'} and summary ${short(bf?.compaction?.summaryKey)}; A is in session ${a.sessionId ?? 'none'}, its answer's summary ${short(a.compactionCall)}`
    case 'subtask':
      return `B's prompt hash ${short(bf?.promptHash)}; A's Agent/Task prompts: ${a.spawns.map((s) => short(s.promptHash)).join(', ') || 'none'}`
    case 'retry':
      return `message hashes ${short(bf?.currentHash)} / ${short(af?.currentHash)}, agents ${b.agentId ?? 'none'} / ${a.agentId ?? 'none'}, sessions ${b.sessionId ?? 'none'} / ${a.sessionId ?? 'none'}`
    case 'agent':
      return `agent ids ${b.agentId ?? 'none'} / ${a.agentId ?? 'none'}`
    default:
      return ''
  }
}

function linkedRequestOf(a: ExplainSubject): LinkedRequest | undefined {
  const { links, facts } = a
  if (facts === null || links.conversationId === null || links.branchId === null) return undefined
  if (links.linkKind === null) return undefined
  return {
    requestId: a.requestId,
    seq: a.seq,
    domain: a.domain,
    conversationId: links.conversationId,
    branchId: links.branchId,
    linkKind: links.linkKind,
    parentRequestId: links.parentRequestId,
    isSubtask: links.isSubtask,
    parentTaskRequestId: links.parentTaskRequestId,
    currentHash: facts.currentHash,
    systemHash: facts.systemHash,
    sessionId: a.sessionId,
    agentId: a.agentId,
    timestamp: a.timestamp,
    compactionCall: a.compactionCall,
    hasChildren: a.hasChildren,
  }
}

// A spawn B itself took was still free when B was linked.
function unclaimed(spawn: SpawnState): SpawnState {
  return { ...spawn, claimedBy: null, claimedAgentId: null }
}

/** The explanation for a terminal. */
export function formatExplanation(e: Explanation): string {
  const lines = [`A ${e.a}`, `B ${e.b}`, '']
  for (const c of e.checks) lines.push(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.check}: ${c.detail}`)
  if (e.rules.length > 0) lines.push('', 'rules, in the order the linker tries them:')
  for (const r of e.rules) {
    const mark = r.decides ? '=>' : '  '
    lines.push(`${mark} ${r.rule.padEnd(11)} ${r.verdict.padEnd(18)} ${r.condition}`)
    if (r.detail) lines.push(`   ${''.padEnd(11)} ${''.padEnd(18)} ${r.detail}`)
  }
  const a = e.actual
  lines.push(
    '',
    e.linked
      ? `B is linked to A: ${a.linkKind} in conversation ${a.conversationId}`
      : a.conversationId === null
        ? 'B is not linked to anything (yet)'
        : `B is not linked to A: it is ${a.linkKind}${a.parentRequestId ? ` of ${a.parentRequestId}` : ''} in conversation ${a.conversationId}`,
  )
  return `${lines.join('\n')}\n`
}
