import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeEachDatabase } from '../../../test-support/test-database.ts'
import { insertRequestRecords } from '../../storage/request-store.ts'
import { modelFamily } from '../../usage/model-id.ts'
import { randomId, usageRecord } from '../../usage/usage-test-records.ts'
import { scopeForDomains } from '../auth/scope.ts'
import { sumRollup } from './rollup-queries.ts'

test('modelFamily: dated ids, aliases and cloud spellings are one model', () => {
  for (const id of [
    'claude-sonnet-4-5-20250929',
    'claude-sonnet-4-5',
    'anthropic.claude-sonnet-4-5-20250929-v1:0',
    'claude-sonnet-4-5@20250929',
  ])
    assert.equal(modelFamily(id), 'claude-sonnet-4-5')
  assert.equal(modelFamily('claude-opus-4-20250514'), 'claude-opus-4')
  assert.equal(modelFamily('claude-opus-4-0'), 'claude-opus-4')
  assert.equal(modelFamily('my-finetune'), 'my-finetune')
  assert.equal(modelFamily(''), '')
})

describeEachDatabase('usage charts group a model under one name', ({ db }) => {
  test('a dated id and its alias are summed as one model, per UTC day', async () => {
    const domain = `${randomId('roll')}.test`
    const at = (iso: string, model: string, input: number) =>
      usageRecord({ domain, timestamp: iso, model, inputTokens: input })
    await insertRequestRecords(db(), [
      at('2026-11-25T10:00:00.000Z', 'claude-sonnet-4-5-20250929', 100),
      at('2026-11-25T23:30:00.000Z', 'claude-sonnet-4-5', 10),
      at('2026-11-26T00:30:00.000Z', 'claude-sonnet-4-5', 1),
      at('2026-11-25T11:00:00.000Z', 'claude-haiku-4-5-20251001', 1000),
    ])
    const rows = await sumRollup(db(), scopeForDomains([domain], []), {
      from: new Date('2026-11-25T00:00:00Z'),
      to: new Date('2026-11-27T00:00:00Z'),
      by: ['day', 'model'],
    })
    const seen = rows
      .map((r) => [r.at?.toISOString(), r.model, Number(r.requests), Number(r.input_tokens)])
      .sort((a, b) => String(a).localeCompare(String(b)))
    assert.deepEqual(seen, [
      ['2026-11-25T00:00:00.000Z', 'claude-haiku-4-5', 1, 1000],
      ['2026-11-25T00:00:00.000Z', 'claude-sonnet-4-5', 2, 110],
      ['2026-11-26T00:00:00.000Z', 'claude-sonnet-4-5', 1, 1],
    ])
  })
})
