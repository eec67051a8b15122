import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NormalizedBlock } from '../conversations/normalize-block.ts'
import {
  findRecommendations,
  parseRecommendation,
  recommendationSections,
  sessionIds,
  SPARK_TOOL,
} from './spark-recommendation.ts'
import { recommendationText } from './test-spark-server.ts'

const MARKDOWN =
  '# Plan {#plan}\nDo it.\n\n## Steps {#steps}\n1. one\n\n## Sources {#sources}\n| a |'
const call = (id: string, name = SPARK_TOOL): NormalizedBlock => ({
  type: 'tool_use',
  id,
  name,
  input: { request: { query: 'How to migrate?' } },
})
const result = (id: string, text: string, isError = false): NormalizedBlock => ({
  type: 'tool_result',
  tool_use_id: id,
  content: [{ type: 'text', text }],
  ...(isError ? { is_error: true } : {}),
})

test('a Spark call and its result make a recommendation with its sections', () => {
  assert.deepEqual(
    parseRecommendation(call('t1'), result('t1', recommendationText('s/1', MARKDOWN))),
    {
      toolUseId: 't1',
      sessionId: 's/1',
      query: 'How to migrate?',
      markdown: MARKDOWN,
      sections: [
        { id: 'plan', title: 'Plan' },
        { id: 'steps', title: 'Steps' },
        { id: 'sources', title: 'Sources' },
      ],
    },
  )
})

test('other tools, errors, missing results and non-Spark text are not recommendations', () => {
  const text = recommendationText('s1', MARKDOWN)
  assert.equal(parseRecommendation(call('t1', 'mcp__other__tool'), result('t1', text)), undefined)
  assert.equal(parseRecommendation(call('t1'), result('t1', text, true)), undefined)
  assert.equal(parseRecommendation(call('t1'), undefined), undefined)
  assert.equal(parseRecommendation(call('t1'), result('t1', 'Spark is down')), undefined)
  assert.equal(parseRecommendation(call('t1'), result('t1', '{"session_id": 5}')), undefined)
  assert.equal(
    parseRecommendation(call('t1'), result('t1', recommendationText('', 'x'))),
    undefined,
  )
})

test('without section markers, headings up to level 3 are the sections', () => {
  assert.deepEqual(
    recommendationSections('# Use Kysely 0.28\n#### deep\n### Why? ##\n# Use Kysely 0.28'),
    [
      { id: 'use-kysely-0-28', title: 'Use Kysely 0.28' },
      { id: 'why', title: 'Why?' },
    ],
  )
})

test('findRecommendations pairs calls with results; sessionIds are distinct, in order', () => {
  const results = new Map([
    ['a', result('a', recommendationText('s1', '# A'))],
    ['b', result('b', recommendationText('s2', '# B'))],
    ['c', result('c', recommendationText('s1', '# C'))],
  ])
  const found = findRecommendations([call('a'), call('x'), call('b'), call('c')], results)
  assert.deepEqual(
    found.map((r) => r.toolUseId),
    ['a', 'b', 'c'],
  )
  assert.deepEqual(sessionIds(found), ['s1', 's2'])
})
