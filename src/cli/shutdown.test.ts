import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request, type ClientRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Anthropic from '@anthropic-ai/sdk'
import { openPglite } from '../db/database.ts'
import { MockAnthropic, sseForMessage, textMessage } from '../../test-support/mock-anthropic.ts'
import { freePort, startNexus, waitFor } from '../../test-support/nexus-process.ts'

const DASHBOARD_KEY = 'shutdown-test-dashboard-key-0123456789'

describe('nexus start: shutdown', () => {
  const mock = new MockAnthropic()
  let root: string
  before(async () => {
    await mock.start()
    root = await mkdtemp(join(tmpdir(), 'nexus-shutdown-'))
  })
  after(async () => {
    await mock.close()
    await rm(root, { recursive: true, force: true })
  })

  async function environment(extra: Record<string, string> = {}) {
    const dataDir = await mkdtemp(join(root, 'data-'))
    const env = {
      PORT: String(await freePort()),
      DASHBOARD_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      CREDENTIALS_DIR: join(dataDir, 'credentials'),
      CLAUDE_API_BASE_URL: mock.url,
      DASHBOARD_API_KEY: DASHBOARD_KEY,
      LOG_LEVEL: 'info',
      ...extra,
    }
    return { env, lockFile: join(dataDir, 'nexus.lock') }
  }

  test('SIGTERM with a live stream open: the stream gets `shutdown` and ends, exit 0, no lock left', async () => {
    const { env, lockFile } = await environment()
    const nexus = startNexus(env)
    await waitFor(() => nexus.output().includes('dashboard on'), 'the dashboard to listen')
    assert.ok(existsSync(lockFile))
    const res = await fetch(`http://127.0.0.1:${env.DASHBOARD_PORT}/events`, {
      headers: { 'x-dashboard-key': DASHBOARD_KEY },
    })
    assert.equal(res.status, 200)
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let received = ''
    while (!received.includes('event: ready')) received += (await reader.read()).value ?? ''

    nexus.child.kill('SIGTERM')
    for (let r = await reader.read(); !r.done; r = await reader.read()) received += r.value
    assert.match(received, /event: shutdown\ndata: \{\}\nretry: 5000\n/)
    // 0, not the deadline's 1: the open stream did not hold the shutdown up.
    assert.equal(await nexus.exited, 0)
    assert.equal(existsSync(lockFile), false)
  })

  test('SIGTERM mid-stream: no new connections, the stream finishes, its record is stored, exit 0', async () => {
    const { env } = await environment()
    const nexus = startNexus(env)
    await waitFor(() => nexus.output().includes('proxy listening'), 'the proxy to listen')
    const model = `slow-${randomUUID()}`
    const message = textMessage(model, 'a slow answer '.repeat(20))
    const stream = Buffer.from(sseForMessage(message))
    // About 20 pieces 100 ms apart: the stream is still running when the signal comes.
    const cuts = Array.from({ length: 20 }, (_, i) => Math.floor(((i + 1) * stream.length) / 21))
    mock.handler = (_req, body) =>
      (body as { model?: string }).model === model
        ? { kind: 'sse', stream, splitAt: cuts, delayMs: 100 }
        : undefined
    const client = new Anthropic({
      apiKey: 'sk-ant-api03-shutdown-stream-0000',
      baseURL: `http://127.0.0.1:${env.PORT}`,
      maxRetries: 0,
    })
    const running = client.messages.stream({
      model,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'slow' }],
    })
    await new Promise<void>((resolve) => running.once('text', () => resolve()))

    nexus.child.kill('SIGTERM')
    await waitFor(() => nexus.output().includes('shutting down'), 'the shutdown to start')
    await assert.rejects(
      fetch(`http://127.0.0.1:${env.PORT}/health/live`),
      (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'ECONNREFUSED',
    )
    const final = await running.finalMessage()
    assert.deepEqual(final.content, message.content)
    assert.equal(await nexus.exited, 0)

    const db = openPglite(join(env.DATA_DIR, 'pglite'))
    try {
      const rows = await db.kysely
        .selectFrom('api_requests')
        .select(['model', 'status_code', 'stream_end'])
        .where('model', '=', model)
        .execute()
      assert.deepEqual(rows, [{ model, status_code: 200, stream_end: 'done' }])
    } finally {
      await db.close()
    }
  })

  test('a stuck shutdown exits with 1 at the deadline and releases the lock', async () => {
    const { env, lockFile } = await environment({ SHUTDOWN_TIMEOUT_MS: '1000' })
    const nexus = startNexus(env)
    await waitFor(() => nexus.output().includes('proxy listening'), 'the proxy to listen')
    const hanging = await openHangingRequest(mock, Number(env.PORT))

    nexus.child.kill('SIGTERM')
    assert.equal(await nexus.exited, 1)
    assert.match(nexus.output(), /shutdown did not finish by the deadline/)
    assert.equal(existsSync(lockFile), false)
    hanging.destroy()
  })

  test('a second signal exits at once and releases the lock', async () => {
    // A deadline far beyond the test's own timeout: only the second signal can end this.
    const { env, lockFile } = await environment({ SHUTDOWN_TIMEOUT_MS: '3600000' })
    const nexus = startNexus(env)
    await waitFor(() => nexus.output().includes('proxy listening'), 'the proxy to listen')
    const hanging = await openHangingRequest(mock, Number(env.PORT))

    nexus.child.kill('SIGTERM')
    await waitFor(() => nexus.output().includes('shutting down'), 'the shutdown to start')
    nexus.child.kill('SIGINT')
    assert.equal(await nexus.exited, 1)
    assert.match(nexus.output(), /second signal: exiting now/)
    assert.equal(existsSync(lockFile), false)
    hanging.destroy()
  })

  test('a stale lock left by a killed process is taken over with a one-line message', async () => {
    const { env, lockFile } = await environment()
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
    const deadPid = Number(dead.stdout.toString())
    await mkdir(env.DATA_DIR, { recursive: true })
    await writeFile(lockFile, String(deadPid))

    const nexus = startNexus(env)
    await waitFor(() => nexus.output().includes('proxy listening'), 'the proxy to listen')
    const lines = nexus.output().split('\n')
    const message = `took over the data directory lock of pid ${deadPid}, which is gone`
    assert.equal(lines.filter((l) => l.includes(message)).length, 1)
    nexus.child.kill('SIGTERM')
    assert.equal(await nexus.exited, 0)
    assert.equal(existsSync(lockFile), false)
  })
})

/** A proxied request whose upstream never answers: it holds the proxy server open. */
async function openHangingRequest(mock: MockAnthropic, port: number): Promise<ClientRequest> {
  const model = `hang-${randomUUID()}`
  mock.handler = (_req, body) =>
    (body as { model?: string }).model === model ? { kind: 'hang' } : undefined
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/v1/messages',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'sk-ant-api03-shutdown-test-000000',
    },
  })
  req.on('error', () => undefined)
  req.end(JSON.stringify({ model, max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }))
  await waitFor(
    () => mock.received.some((r) => r.body.toString().includes(model)),
    'the request to reach the upstream',
  )
  return req
}
