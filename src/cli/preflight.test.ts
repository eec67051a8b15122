import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

const BIN = join(import.meta.dirname, '../../bin/nexus.js')

interface Run {
  code: number
  stdout: string
  stderr: string
}

function nexus(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NEXUS_FROM_SOURCE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  )
}

function listening(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => resolve(s))
  })
}

const portOf = (s: Server) => (s.address() as { port: number }).port

describe('nexus start-up problems end in one line before anything opens', () => {
  let dir: string
  let busy: Server
  let closed: number
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nexus-preflight-'))
    busy = await listening()
    const gone = await listening()
    closed = portOf(gone)
    await new Promise((r) => gone.close(r))
  })
  after(async () => {
    await new Promise((r) => busy.close(r))
    await rm(dir, { recursive: true, force: true })
  })

  const fails = async (args: string[], env: Record<string, string>, line: string) => {
    const run = await nexus(args, { DATA_DIR: join(dir, 'data'), ...env }, dir)
    assert.deepEqual(
      { code: run.code, stderr: run.stderr, stdout: run.stdout },
      {
        code: 1,
        stderr: `${line}\n`,
        stdout: '',
      },
    )
  }

  test('--help prints help and runs nothing, on any command', async () => {
    for (const args of [['--help'], ['start', '--help'], ['migrate', '-h'], ['proxy', 'help']]) {
      // The busy port would fail a real start: help must not get that far.
      const run = await nexus(args, { PORT: String(portOf(busy)) }, dir)
      assert.equal(run.code, 0, args.join(' '))
      assert.match(run.stdout, /^nexus <command>\n/)
      assert.equal(run.stderr, '')
    }
    const conversations = await nexus(['conversations', '--help'], {}, dir)
    assert.equal(conversations.code, 0)
    assert.match(conversations.stdout, /^nexus conversations rebuild \[--dry-run\] \[--rehash\]/)
  })

  test('PORT out of range', () =>
    fails(['start'], { PORT: '70000' }, 'Invalid PORT: must be a port number from 1 to 65535'))

  test('PORT equal to DASHBOARD_PORT', () =>
    fails(
      ['start'],
      { PORT: '4123', DASHBOARD_PORT: '4123' },
      'PORT and DASHBOARD_PORT are both 4123: give the dashboard a port of its own.',
    ))

  test('a port already in use', () =>
    fails(
      ['start'],
      { DASHBOARD_PORT: String(portOf(busy)) },
      `DASHBOARD_PORT ${portOf(busy)} is already in use on 127.0.0.1: stop what listens there or set DASHBOARD_PORT.`,
    ))

  test('a malformed DATABASE_URL', () =>
    fails(
      ['migrate'],
      { DATABASE_URL: 'mysql://root:hunter2@db/nexus' },
      'DATABASE_URL must start with postgres:// (got mysql://): expected postgres://user:password@host:5432/database.',
    ))

  test('an unreachable DATABASE_URL, without its password', () =>
    fails(
      ['migrate'],
      { DATABASE_URL: `postgres://nexus:hunter2@127.0.0.1:${closed}/nexus` },
      `DATABASE_URL: cannot use PostgreSQL at 127.0.0.1:${closed}/nexus: connection refused (is it running?)`,
    ))

  test('a DATA_DIR that cannot be a directory', async () => {
    const file = join(dir, 'a-file')
    await writeFile(file, '')
    await fails(
      ['migrate'],
      { DATA_DIR: join(file, 'data') },
      `DATA_DIR ${join(file, 'data')} is not a writable directory (ENOTDIR): fix its permissions or point DATA_DIR elsewhere.`,
    )
  })

  test('nexus proxy without DATABASE_URL', () =>
    fails(
      ['proxy'],
      {},
      '`nexus proxy` runs against PostgreSQL: set DATABASE_URL. For a single process on the embedded database use `nexus start`.',
    ))
})
