import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { testBackends } from '../../test-support/test-database.ts'
import { runKillNine } from '../../test-support/kill-nine.ts'

// The promise under test (docs/adr/0003): a request whose response completed is on disk,
// committed or in the spool, one flush interval later, so a kill -9 then loses none of them.
describe('kill -9 one flush interval after the last response', () => {
  for (const backend of testBackends) {
    test(`every completed request is stored after a restart [${backend}]`, async () => {
      const result = await runKillNine({ backend, requests: 300, concurrency: 20 })
      assert.equal(result.completed, 300)
      assert.deepEqual(result.missing, [])
      assert.equal(result.stored, 300)
    })
  }
})
