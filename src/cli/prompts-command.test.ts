import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, before, test } from 'node:test'
import { FakeGithub } from '../mcp/test-support.ts'

const BIN = join(import.meta.dirname, '../../bin/nexus.js')
const github = new FakeGithub()
let root: string
let env: Record<string, string>

before(async () => {
  const apiUrl = await github.start()
  root = await mkdtemp(join(tmpdir(), 'nexus-prompts-cli-'))
  env = {
    PATH: process.env.PATH ?? '',
    NEXUS_FROM_SOURCE: '1',
    DATA_DIR: join(root, 'data'),
    MCP_PROMPTS_DIR: join(root, 'prompts'),
    MCP_GITHUB_OWNER: 'acme',
    MCP_GITHUB_REPO: 'prompts',
    MCP_GITHUB_PATH: '/team/shared/',
    MCP_GITHUB_API_URL: apiUrl,
    MCP_GITHUB_TOKEN: 'ghp_cli_secret_token',
    LOG_LEVEL: 'silent',
  }
})
after(async () => {
  await github.close()
  await rm(root, { recursive: true, force: true })
})

const run = (extra: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, [BIN, 'prompts', 'sync'], {
    env: { ...env, ...extra },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )

test('`nexus prompts sync` pulls once, then reports an unchanged head', async () => {
  github.files.set('review.yaml', 'template: Review\n')
  github.files.set('../up.yaml', 'template: x\n')
  const first = await run()
  assert.equal(first.code, 0, first.stderr)
  assert.equal(
    first.stdout,
    'acme/prompts@main:team/shared at c1: 1 added, 0 updated, 0 unchanged, 1 refused\n' +
      '  refused "../up.yaml": not a plain file name\n',
  )
  assert.deepEqual(await readdir(join(root, 'prompts')), ['review.yaml'])
  const second = await run()
  assert.equal(
    second.stdout,
    'acme/prompts@main:team/shared is at c1, unchanged since the last sync: nothing written\n',
  )
  assert.ok(!(first.stdout + first.stderr + second.stderr).includes('ghp_cli_secret_token'))
})

test('`nexus prompts sync` without a repository, or with GitHub failing, exits 1 with one line', async () => {
  const none = await run({ MCP_GITHUB_OWNER: '' })
  assert.equal(none.code, 1)
  assert.equal(
    none.stderr,
    'No repository to sync: set MCP_GITHUB_OWNER and MCP_GITHUB_REPO (docs/mcp.md).\n',
  )
  const failing = await run({ MCP_GITHUB_REPO: 'missing' })
  assert.equal(failing.code, 1)
  assert.equal(
    failing.stderr,
    'prompt sync failed: GitHub answered 404 for /repos/acme/missing/commits/main\n',
  )
})
