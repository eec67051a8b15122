import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { ConfigError } from '../config.ts'
import { computeCost } from './cost.ts'
import { readPriceTable } from './price-file.ts'
import { DEFAULT_PRICE_TABLE } from './price-table.ts'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexus-prices-'))
})
after(() => rm(dir, { recursive: true, force: true }))

const usage = {
  input_tokens: 1_000_000,
  output_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
}

test('no PRICING_FILE: the built-in table', () => {
  assert.equal(readPriceTable(undefined), DEFAULT_PRICE_TABLE)
})

test('a price file overrides and adds models', async () => {
  const path = join(dir, 'prices.json')
  await writeFile(
    path,
    JSON.stringify({
      models: {
        'claude-sonnet-4-5': { input: 2.5, output: 12 },
        'my-finetune': { input: 1, output: 2 },
      },
    }),
  )
  const table = readPriceTable(path)
  assert.equal(computeCost('claude-sonnet-4-5-20250929', usage, table)?.totalUsd, 2.5)
  assert.equal(computeCost('my-finetune', usage, table)?.totalUsd, 1)
  assert.equal(computeCost('claude-haiku-4-5', usage, table)?.totalUsd, 1)
})

test('an unreadable or invalid file stops the start with a message naming PRICING_FILE', async () => {
  const broken = join(dir, 'broken.json')
  await writeFile(broken, '{"models": {"x": {"input": -1, "output": 1}}}')
  assert.throws(
    () => readPriceTable(broken),
    (err: unknown) =>
      err instanceof ConfigError &&
      /PRICING_FILE .*broken\.json: Invalid price overrides/s.test(err.message),
  )
  assert.throws(
    () => readPriceTable(join(dir, 'missing.json')),
    (err: unknown) =>
      err instanceof ConfigError &&
      /PRICING_FILE .*missing\.json could not be read/.test(err.message),
  )
})
