import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TreeRow } from '../queries/conversation-queries.ts'
import { filterBranch, layoutConversation } from './conversation-graph.ts'

const row = (
  id: string,
  branch: string,
  parent: string | null,
  extra: Partial<TreeRow> = {},
): TreeRow => ({
  request_id: id,
  seq: 0,
  timestamp: new Date('2026-11-25T12:00:00Z'),
  domain: 'd',
  model: null,
  request_type: 'inference',
  status_code: 200,
  duration_ms: 1,
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  cost_usd: null,
  message_count: 1,
  tool_call_count: 0,
  branch_id: branch,
  parent_request_id: parent,
  is_subtask: false,
  parent_task_request_id: null,
  conversation_id: 'c',
  ...extra,
})

const rows = [
  row('a', 'main', null),
  row('b', 'main', 'a'),
  row('s1', 'subtask_1', 'b', { is_subtask: true, parent_task_request_id: 'b' }),
  row('x', 'branch_1', 'a'),
  row('c', 'main', 'b'),
  row('k', 'compact_1', 'c'),
]

test('one lane per branch in order of appearance, with kinds and fork points', () => {
  const g = layoutConversation(rows)
  assert.deepEqual(
    g.lanes.map((l) => [l.branch, l.kind, l.index, l.forkedFrom, l.requests]),
    [
      ['main', 'main', 0, undefined, 3],
      ['subtask_1', 'subtask', 1, 'b', 1],
      ['branch_1', 'branch', 2, 'a', 1],
      ['compact_1', 'compaction', 3, 'c', 1],
    ],
  )
  assert.deepEqual(
    g.nodes.map((n) => [n.row.request_id, n.parentIndex, n.edge]),
    [
      ['a', undefined, undefined],
      ['b', 0, 'continue'],
      ['s1', 1, 'spawn'],
      ['x', 0, 'fork'],
      ['c', 1, 'continue'],
      ['k', 4, 'fork'],
    ],
  )
})

test('a parent outside the loaded rows leaves the node unconnected', () => {
  const g = layoutConversation([row('late', 'main', 'missing')])
  assert.equal(g.nodes[0]?.parentIndex, undefined)
})

test('a branch filter keeps the branch and the request it forked from', () => {
  assert.deepEqual(
    filterBranch(rows, 'subtask_1').map((r) => r.request_id),
    ['b', 's1'],
  )
  assert.deepEqual(
    filterBranch(rows, 'main').map((r) => r.request_id),
    ['a', 'b', 'c'],
  )
  assert.deepEqual(filterBranch(rows, undefined).length, 6)
  assert.deepEqual(filterBranch(rows, 'nope'), [])
})
