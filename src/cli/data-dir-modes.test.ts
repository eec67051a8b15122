import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { MockAnthropic } from '../../test-support/mock-anthropic.ts'

const BIN = join(import.meta.dirname, '../../bin/nexus.js')

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

// Every directory and file under `dir` with its permission bits.
async function walk(dir: string): Promise<Array<{ path: string; mode: number; dir: boolean }>> {
  const out = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const mode = (await stat(path)).mode & 0o777
    out.push({ path, mode, dir: entry.isDirectory() })
    if (entry.isDirectory()) out.push(...(await walk(path)))
  }
  return out
}

const mock = new MockAnthropic()
let root: string
before(async () => {
  await mock.start()
  root = await mkdtemp(join(tmpdir(), 'nexus-modes-'))
})
after(async () => {
  await mock.close()
  await rm(root, { recursive: true, force: true })
})

test('nexus start tightens a 0755 DATA_DIR and everything it writes there is 0600 / 0700', async () => {
  const dataDir = join(root, 'data')
  await mkdir(dataDir)
  await chmod(dataDir, 0o755)
  const port = await freePort()
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DASHBOARD_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      CREDENTIALS_DIR: join(root, 'credentials'),
      CLAUDE_API_BASE_URL: mock.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
  const deadline = Date.now() + 180_000
  while (!output.includes('proxy listening')) {
    if (Date.now() > deadline) throw new Error(`nexus did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-api03-modes-test-000000' },
    body: JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  })
  assert.equal(res.status, 200)
  child.kill('SIGTERM')
  assert.equal(await exited, 0)
  assert.match(output, /was mode 0755; tightened to 0700/)
  assert.equal((await stat(dataDir)).mode & 0o777, 0o700)
  const entries = await walk(dataDir)
  assert.ok(
    entries.some((e) => e.path.includes('pglite')),
    'the database is in DATA_DIR',
  )
  assert.ok(entries.some((e) => e.path.endsWith('dashboard.key')))
  for (const e of entries) {
    assert.equal(e.mode & 0o077, 0, `${e.path} is ${e.mode.toString(8)}`)
  }
})
