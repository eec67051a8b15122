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
