import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Anthropic from '@anthropic-ai/sdk'
import { openPglite } from '../db/database.ts'
import { MockAnthropic } from '../../test-support/mock-anthropic.ts'
import { freePort, startNexus, waitFor } from '../../test-support/nexus-process.ts'

describe('nexus start on the embedded database', () => {
  const mock = new MockAnthropic()
  let dataDir: string
  let env: Record<string, string>
  let port: number
  before(async () => {
    await mock.start()
    dataDir = await mkdtemp(join(tmpdir(), 'nexus-cli-'))
    port = await freePort()
    env = {
      PORT: String(port),
      DASHBOARD_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      CREDENTIALS_DIR: join(dataDir, 'credentials'),
      CLAUDE_API_BASE_URL: mock.url,
      LOG_LEVEL: 'info',
    }
  })
  after(async () => {
    await mock.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  test('proxies SDK traffic, refuses a second process on the same data, stores into ./data, drains on SIGTERM', async () => {
    const nexus = startNexus(env)
    await waitFor(() => nexus.output().includes('proxy listening'), 'the proxy to listen')

    const second = startNexus({
      ...env,
      PORT: String(await freePort()),
      DASHBOARD_PORT: String(await freePort()),
    })
    assert.equal(await second.exited, 1)
    assert.match(second.output(), /in use by another nexus process \(pid \d+\)/)

    const client = new Anthropic({
      apiKey: 'sk-ant-api03-cli-test-key-000000',
      baseURL: `http://127.0.0.1:${port}`,
      maxRetries: 0,
    })
    const reply = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'ping' }],
    })
    assert.deepEqual(reply.content, [{ type: 'text', text: 'Hello from the mock.' }])

    nexus.child.kill('SIGTERM')
    assert.equal(await nexus.exited, 0)
    assert.ok(!nexus.output().includes('sk-ant-api03-cli-test-key'), 'no key in the logs')

    const db = openPglite(join(dataDir, 'pglite'))
    try {
      const rows = await db.kysely
        .selectFrom('api_requests')
        .select(['model', 'status_code', 'path'])
        .execute()
      assert.deepEqual(rows, [
        { model: 'claude-haiku-4-5', status_code: 200, path: '/v1/messages' },
      ])
    } finally {
      await db.close()
    }
  })
})
