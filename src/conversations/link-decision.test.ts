import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  bestMatch,
  chooseSpawn,
  decideLink,
  type LinkCandidates,
  type LinkRequest,
} from './link-decision.ts'
import type { LinkedRequest, SpawnState } from './link-model.ts'
import { loadFixture, type FixtureRequest } from './claude-code/fixture.ts'
import { linkFactsOf } from './link-facts.ts'
import { extractSessionEvidence } from './session-evidence.ts'

const request: LinkRequest = {
  requestId: 'r',
  currentHash: 'h-r',
  parentHash: 'h-p',
  grandparentHash: null,
  systemHash: 'sys-a',
  promptHash: null,
  continuesCompaction: false,
  sessionId: 'session-1',
  agentId: null,
  timestamp: new Date('2026-03-07T10:00:00Z'),
}

const none: LinkCandidates = {
  parents: [],
  grandparents: [],
  sameHash: [],
  spawns: [],
  compactionTargets: [],
  agentPeers: [],
}

function linked(requestId: string, seq: number, more: Partial<LinkedRequest> = {}): LinkedRequest {
  return {
    requestId,
    seq,
    domain: 'd',
    conversationId: 'c',
    branchId: 'main',
    linkKind: 'parent',
    parentRequestId: null,
    isSubtask: false,
    parentTaskRequestId: null,
    currentHash: 'h',
    systemHash: 'sys-a',
    sessionId: 'session-1',
    agentId: null,
    timestamp: new Date('2026-03-07T09:59:00Z'),
    hasChildren: false,
    ...more,
  }
}

function spawn(requestId: string, toolIndex: number, more: Partial<SpawnState> = {}): SpawnState {
  return {
    requestId,
    toolIndex,
    seq: 1,
    domain: 'd',
    promptHash: 'p',
    toolUseId: `${requestId}-${toolIndex}`,
    sessionId: 'session-1',
    conversationId: 'c',
    subtaskNumber: toolIndex + 1,
    claimedBy: null,
    claimedAgentId: null,
    ...more,
  }
}

describe('bestMatch', () => {
  it('ranks the same system prompt first, then the same agent, then the same session, then the newest', () => {
    const pick = (...candidates: LinkedRequest[]) => bestMatch(request, candidates)?.requestId
    assert.equal(
      pick(linked('other-system', 9, { systemHash: 'sys-b' }), linked('same-system', 1)),
      'same-system',
    )
    assert.equal(pick(linked('sub-agent', 9, { agentId: 'a' }), linked('main', 1)), 'main')
    assert.equal(
      pick(linked('other-session', 9, { sessionId: 's-2' }), linked('same-session', 1)),
      'same-session',
    )
    assert.equal(pick(linked('newer', 9), linked('older', 1)), 'newer')
    assert.equal(pick(), undefined)
  })
})

describe('chooseSpawn', () => {
  it('gives an agent the spawn it took before, else the first untaken spawn of its session', () => {
    const spawns = [
      spawn('new', 0, { claimedBy: 'x1', claimedAgentId: 'x' }),
      spawn('new', 1),
      spawn('old', 0, { sessionId: 'session-0' }),
    ]
    assert.equal(chooseSpawn({ ...request, agentId: 'x' }, spawns)?.toolIndex, 0)
    assert.equal(chooseSpawn({ ...request, agentId: 'y' }, spawns)?.toolIndex, 1)
    assert.equal(chooseSpawn({ ...request, sessionId: 'session-0' }, spawns)?.requestId, 'old')
  })
})

describe('decideLink', () => {
  it('continues a parent on its branch, or starts a branch when it already has a child', () => {
    const parent = linked('p', 3, { branchId: 'branch_2' })
    assert.deepEqual(decideLink(request, { ...none, parents: [parent] }), {
      linkKind: 'parent',
      conversationId: 'c',
      parentRequestId: 'p',
      branch: { kind: 'keep', branchId: 'branch_2' },
      isSubtask: false,
      parentTaskRequestId: null,
    })
    const busy = { ...parent, hasChildren: true }
    assert.deepEqual(decideLink(request, { ...none, parents: [busy] }).branch, {
      kind: 'new',
      prefix: 'branch',
    })
    const sibling = linked('s', 4, { parentRequestId: 'p', branchId: 'branch_3' })
    assert.deepEqual(
      decideLink(request, { ...none, parents: [busy], sameHash: [sibling] }).branch,
      {
        kind: 'keep',
        branchId: 'branch_3',
      },
    )
  })

  it('starts a sub-task on the spawn’s subtask_N and claims it once', () => {
    const first = decideLink(
      { ...request, parentHash: null, promptHash: 'p' },
      { ...none, spawns: [spawn('m', 1)] },
    )
    assert.deepEqual(
      { ...first, claims: first.claims?.toolUseId },
      {
        linkKind: 'subtask',
        conversationId: 'c',
        parentRequestId: 'm',
        branch: { kind: 'keep', branchId: 'subtask_2' },
        isSubtask: true,
        parentTaskRequestId: 'm',
        claims: 'm-1',
      },
    )
    const taken = spawn('m', 1, { claimedBy: 'first' })
    assert.equal(
      decideLink({ ...request, parentHash: null, promptHash: 'p' }, { ...none, spawns: [taken] })
        .claims,
      undefined,
    )
  })

  it('opens a new compact_N for a continuation unless the same continuation was sent before', () => {
    const compaction = { ...request, parentHash: null, continuesCompaction: true }
    const call = linked('call', 5, { isSubtask: false })
    assert.deepEqual(decideLink(compaction, { ...none, compactionTargets: [call] }), {
      linkKind: 'compaction',
      conversationId: 'c',
      parentRequestId: 'call',
      branch: { kind: 'new', prefix: 'compact' },
      isSubtask: false,
      parentTaskRequestId: null,
    })
    const sent = linked('k1', 6, {
      linkKind: 'compaction',
      parentRequestId: 'call',
      branchId: 'compact_1',
    })
    assert.deepEqual(
      decideLink(compaction, { ...none, compactionTargets: [sent], sameHash: [sent] }).branch,
      {
        kind: 'keep',
        branchId: 'compact_1',
      },
    )
    assert.equal(decideLink(compaction, none).linkKind, 'root')
  })

  it('starts a conversation when nothing matches, flagged as sub-task work for an agent', () => {
    assert.deepEqual(decideLink({ ...request, agentId: 'a' }, none), {
      linkKind: 'root',
      conversationId: 'r',
      parentRequestId: null,
      branch: { kind: 'keep', branchId: 'main' },
      isSubtask: true,
      parentTaskRequestId: null,
    })
  })
})

describe('decideLink: a first request sent again', () => {
  const first = { ...request, parentHash: null }
  const root = (more: Partial<LinkedRequest> = {}) =>
    linked('first', 1, { linkKind: 'root', conversationId: 'first', ...more })
  const decide = (r: LinkRequest, earlier: LinkedRequest) =>
    decideLink(r, { ...none, sameHash: [earlier] })

  it('joins the earlier one with the same session, and never one of another session', () => {
    assert.deepEqual(decide(first, root()), {
      linkKind: 'retry',
      conversationId: 'first',
      parentRequestId: null,
      branch: { kind: 'keep', branchId: 'main' },
      isSubtask: false,
      parentTaskRequestId: null,
    })
    assert.equal(decide(first, root({ sessionId: 'session-2' })).linkKind, 'root')
    assert.equal(decide(first, root({ agentId: 'a1' })).linkKind, 'root')
  })

  it('without session evidence, takes the same system prompt within five minutes', () => {
    const bare = { ...first, sessionId: null }
    const at = (iso: string) => root({ sessionId: null, timestamp: new Date(iso) })
    assert.equal(decide(bare, at('2026-03-07T09:55:00Z')).linkKind, 'retry')
    assert.equal(decide(bare, at('2026-03-07T09:54:59Z')).linkKind, 'root')
    assert.equal(
      decide(bare, root({ sessionId: null, systemHash: 'sys-b' })).linkKind,
      'root',
      'another system prompt',
    )
    assert.equal(
      decide({ ...bare, systemHash: null }, root({ sessionId: null, systemHash: null })).linkKind,
      'root',
      'no system prompt',
    )
    assert.equal(decide(bare, root()).linkKind, 'root', 'the earlier one named a session')
    assert.equal(decide(first, root({ sessionId: null })).linkKind, 'root', 'this one names one')
  })

  // The first request of the recorded `plain` session, as Claude Code sent it and as a
  // gateway that drops the session header and metadata would pass it on.
  const recorded = loadFixture('plain').requests.find((r) => r.label.startsWith('main'))!
  const asLinkRequest = (r: FixtureRequest, requestId: string, at: string): LinkRequest => {
    const facts = linkFactsOf(r.body)!
    const evidence = extractSessionEvidence(r.requestHeaders, r.body)
    return {
      requestId,
      currentHash: facts.currentHash,
      parentHash: facts.parentHash,
      grandparentHash: facts.grandparentHash,
      systemHash: facts.systemHash,
      promptHash: facts.promptHash,
      continuesCompaction: facts.compaction !== null,
      sessionId: evidence.sessionId ?? null,
      agentId: evidence.agentId ?? null,
      timestamp: new Date(at),
    }
  }
  const asLinked = (r: LinkRequest): LinkedRequest =>
    linked(r.requestId, 1, {
      linkKind: 'root',
      conversationId: r.requestId,
      currentHash: r.currentHash,
      systemHash: r.systemHash,
      sessionId: r.sessionId,
      agentId: r.agentId,
      timestamp: r.timestamp,
    })

  it('links a recorded Claude Code first request retried, with and without its session', () => {
    const sent = asLinkRequest(recorded, 'sent', '2026-03-07T10:00:00Z')
    const retried = asLinkRequest(recorded, 'retried', '2026-03-07T10:00:03Z')
    assert.notEqual(sent.sessionId, null)
    assert.equal(decide(retried, asLinked(sent)).linkKind, 'retry')

    const bare = stripSession(recorded)
    const bareSent = asLinkRequest(bare, 'sent', '2026-03-07T10:00:00Z')
    const bareRetried = asLinkRequest(bare, 'retried', '2026-03-07T10:00:03Z')
    assert.equal(bareSent.sessionId, null)
    assert.equal(decide(bareRetried, asLinked(bareSent)).linkKind, 'retry')
  })

  it('keeps two recorded sessions that open with the same prompt apart', () => {
    const other = structuredClone(recorded)
    other.requestHeaders['x-claude-code-session-id'] = '00000000-0000-4000-8000-000000000002'
    const sent = asLinkRequest(recorded, 'sent', '2026-03-07T10:00:00Z')
    const second = asLinkRequest(other, 'second', '2026-03-07T10:00:03Z')
    assert.notEqual(second.sessionId, sent.sessionId)
    assert.equal(decide(second, asLinked(sent)).linkKind, 'root')
  })
})

/** A recorded request without `x-claude-code-*` headers and `metadata.user_id`. */
function stripSession(r: FixtureRequest): FixtureRequest {
  const copy = structuredClone(r)
  for (const name of Object.keys(copy.requestHeaders)) {
    if (name.startsWith('x-claude-code-')) delete copy.requestHeaders[name]
  }
  const body = copy.body as { metadata?: Record<string, unknown> }
  if (body.metadata) delete body.metadata.user_id
  return copy
}
