import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  openTestDatabase,
  testBackends,
  testDatabaseUrl,
  type TestDatabase,
} from '../../test-support/test-database.ts'
import { findAnalysis, requestAnalysis } from './analysis-store.ts'
import {
  analysisJson,
  anthropicMessage,
  ScriptedServer,
  storeConversation,
} from './test-support.ts'

const BIN = join(import.meta.dirname, '../../bin/nexus.js')

/** `nexus worker` as its own process on the test schema. */
function startWorker(schema: string, claudeUrl: string, env: Record<string, string> = {}) {
  const url = new URL(testDatabaseUrl())
  url.searchParams.set('options', `-c search_path=${schema}`)
  const child = spawn(process.execPath, [BIN, 'worker'], {
    env: {
      PATH: process.env.PATH ?? '',
      NEXUS_FROM_SOURCE: '1',
      DATABASE_URL: url.toString(),
      ANTHROPIC_API_KEY: 'sk-ant-api03-workerworkerworkerworker',
      AI_ANALYSIS_CLAUDE_BASE_URL: claudeUrl,
      AI_WORKER_POLL_INTERVAL_MS: '100',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))),
  )
  return { child, exited, output: () => output }
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

if (testBackends.includes('postgres')) {
  describe('nexus worker killed mid-job [postgres]', () => {
    let t: TestDatabase
    const claude = new ScriptedServer()
    before(async () => {
      t = await openTestDatabase('postgres')
    })
    after(async () => {
      await claude.close()
      await t.close()
    })

    test('SIGKILL mid-job: the watchdog of another worker requeues it and it completes', async () => {
      const url = await claude.start()
      // The first call never answers: the worker is mid-job when it is killed.
      claude.replies = ['hang', anthropicMessage(analysisJson('after the crash'))]
      const id = await storeConversation(t.db, 'kill.test')
      await requestAnalysis(
        t.db,
        { conversationId: id, branchId: 'main', domain: 'kill.test' },
        null,
        new Date(),
      )
      const first = startWorker(t.schema!, url)
      await until(() => claude.bodies.length === 1, 'the first worker to call the model')
      assert.equal((await findAnalysis(t.db, id, 'main'))?.status, 'processing')
      first.child.kill('SIGKILL')
      await first.exited
      // Still `processing`: nobody is left to finish it until a watchdog sees it is stale.
      assert.equal((await findAnalysis(t.db, id, 'main'))?.status, 'processing')
      const second = startWorker(t.schema!, url, { AI_WORKER_JOB_TIMEOUT_MINUTES: '0.02' })
      try {
        await until(
          async () => (await findAnalysis(t.db, id, 'main'))?.status === 'completed',
          'completion',
        )
      } finally {
        second.child.kill('SIGTERM')
        await second.exited
      }
      const row = await findAnalysis(t.db, id, 'main')
      assert.equal(row?.attempts, 2)
      assert.equal((row?.result as { summary: string }).summary, 'after the crash')
      assert.equal(claude.bodies.length, 2)
    })
  })
}
