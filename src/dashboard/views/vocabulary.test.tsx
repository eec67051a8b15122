/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ConversationSummary, TreeRow } from '../queries/conversation-queries.ts'
import type { RequestSummary } from '../queries/request-queries.ts'
import { layoutConversation } from './conversation-graph.ts'
import { ConversationFacts, ConversationTable, ConversationTree } from './conversation-views.tsx'
import { RequestTable } from './request-views.tsx'

// One conversation: main (2 requests), a fork, a compaction and a sub-agent. Each request
// read 1,000 input + 2,000 cache-read + 500 cache-write tokens and wrote 100.
const tokens = {
  input_tokens: 1000,
  output_tokens: 100,
  cache_read_input_tokens: 2000,
  cache_creation_input_tokens: 500,
}
const tree: [string, string, string | null, boolean][] = [
  ['00000000-0000-4000-8000-000000000001', 'main', null, false],
  ['00000000-0000-4000-8000-000000000002', 'main', '00000000-0000-4000-8000-000000000001', false],
  [
    '00000000-0000-4000-8000-000000000003',
    'branch_1',
    '00000000-0000-4000-8000-000000000001',
    false,
  ],
  [
    '00000000-0000-4000-8000-000000000004',
    'compact_1',
    '00000000-0000-4000-8000-000000000002',
    false,
  ],
  ['00000000-0000-4000-8000-000000000005', 'subtask_1', null, true],
]
const at = new Date('2026-12-05T10:00:00Z')
const treeRows: TreeRow[] = tree.map(([id, branch, parent, subtask], i) => ({
  request_id: id,
  seq: i + 1,
  timestamp: new Date(at.getTime() + i * 1000),
  domain: 'vocab.test',
  model: 'claude-sonnet-4-5-20250929',
  request_type: 'inference',
  status_code: 200,
  duration_ms: 10,
  ...tokens,
  cost_usd: 0.01,
  message_count: 1,
  tool_call_count: 0,
  branch_id: branch,
  parent_request_id: parent,
  is_subtask: subtask,
  parent_task_request_id: subtask ? '00000000-0000-4000-8000-000000000001' : null,
  conversation_id: 'c0000000-0000-4000-8000-000000000000',
}))
const requestRows: RequestSummary[] = treeRows.map((r) => ({
  ...r,
  account_id: null,
  method: 'POST',
  path: '/v1/messages',
  error_type: null,
  is_streaming: false,
  stream_end: null,
}))
// What the linker keeps for it; total_tokens sums the requests' totals (cache included).
const summary: ConversationSummary = {
  conversation_id: 'c0000000-0000-4000-8000-000000000000',
  domain: 'vocab.test',
  account_id: null,
  started_at: at,
  last_at: at,
  request_count: 5,
  message_count: 5,
  total_tokens: 5 * 3600,
  models: ['claude-sonnet-4-5-20250929'],
  branch_count: 1,
  compact_count: 1,
  subtask_count: 1,
}

const html = (node: unknown) => String(node)
const cells = (page: string, tag: 'th' | 'td' | 'dt' | 'dd') =>
  [...page.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) =>
    (m[1] ?? '').replace(/<[^>]+>/g, '').trim(),
  )

test('list, tree and conversation page label and count input tokens the same way', () => {
  const list = html(<RequestTable rows={requestRows} liveSrc={undefined} />)
  const graph = layoutConversation(treeRows)
  const facts = html(<ConversationFacts rows={treeRows} graph={graph} />)
  const treePage = html(<ConversationTree graph={graph} />)

  const heads = cells(list, 'th')
  const inCol = heads.indexOf('In (incl. cache)')
  assert.notEqual(inCol, -1, `list headers: ${heads.join(' | ')}`)
  const firstRow = cells(list, 'td')
  assert.equal(firstRow[inCol], '3,500')

  assert.match(treePage, /title="In \(incl\. cache\) → Out"[^>]*>3,500→100</)

  const terms = cells(facts, 'dt')
  const values = cells(facts, 'dd')
  assert.equal(values[terms.indexOf('In (incl. cache)')], '17.5k')
  assert.equal(values[terms.indexOf('Out')], '500')
})

test('branches are counted one way: main, forks and compactions, sub-agents apart', () => {
  const listPage = html(<ConversationTable rows={[summary]} />)
  const graph = layoutConversation(treeRows)
  const facts = html(<ConversationFacts rows={treeRows} graph={graph} />)
  const heads = cells(listPage, 'th')
  const row = cells(listPage, 'td')
  const terms = cells(facts, 'dt')
  const values = cells(facts, 'dd')
  assert.equal(row[heads.indexOf('Branches')], '3')
  assert.equal(values[terms.indexOf('Branches')], '3')
  assert.equal(row[heads.indexOf('Sub-agents')], values[terms.indexOf('Sub-agents')])
  // The list's one total is In + Out of every request: 5 × (3,500 + 100).
  assert.equal(row[heads.indexOf('Tokens (incl. cache)')], '18.0k')
})
