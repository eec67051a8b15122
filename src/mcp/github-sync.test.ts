import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { GithubSyncConfig } from '../config.ts'
import type { Log } from '../log.ts'
import { FakeGithub } from './test-support.ts'
import { readSyncStatus, runSync } from './sync-status.ts'

const github = new FakeGithub()
const errors: string[] = []
const log: Log = {
  debug() {},
  info() {},
  warn() {},
  error: (m, f) => errors.push(`${m} ${JSON.stringify(f)}`),
}
let root: string
let config: GithubSyncConfig
before(async () => {
  const apiUrl = await github.start()
  root = await mkdtemp(join(tmpdir(), 'nexus-sync-'))
  config = {
    owner: 'acme',
    repo: 'prompts',
    branch: 'main',
    path: 'team/shared',
    token: 'ghp_secret',
    apiUrl,
    intervalSeconds: 0,
  }
})
after(async () => {
  await github.close()
  await rm(root, { recursive: true, force: true })
})

test('sync adds, updates, keeps local files, refuses traversal names, and skips an unchanged head', async () => {
  const promptsDir = join(root, 'prompts')
  const dataDir = join(root, 'data')
  await mkdir(promptsDir)
  await mkdir(dataDir)
  await writeFile(join(promptsDir, 'local-only.yaml'), 'template: mine\n')
  await writeFile(join(promptsDir, 'same.yaml'), 'template: same\n')
  github.files.set('review.yaml', 'template: review v1\n')
  github.files.set('same.yaml', 'template: same\n')
  github.files.set('../escape.yaml', 'template: evil\n')
  github.files.set('..yaml', 'template: evil\n')
  const deps = { github: config, promptsDir, dataDir, fetch, log }

  const first = await runSync(deps)
  assert.equal(first.ok, true, first.error)
  assert.deepEqual(first.result, {
    commit: 'c1',
    changed: true,
    added: ['review.yaml'],
    updated: [],
    unchanged: 1,
    refused: [
      { name: '../escape.yaml', reason: 'not a plain file name' },
      { name: '..yaml', reason: 'contains ..' },
    ],
  })
  assert.deepEqual((await readdir(promptsDir)).sort(), [
    'local-only.yaml',
    'review.yaml',
    'same.yaml',
  ])
  assert.deepEqual((await readdir(root)).sort(), ['data', 'prompts'], 'nothing written outside')
  assert.match(errors.join('\n'), /prompt sync refused a file name.*\.\.\/escape\.yaml/)
  assert.ok(github.authorization.every((a) => a === 'Bearer ghp_secret'))
  // Only the changed file's content was fetched.
  assert.deepEqual(
    github.requests.filter((r) => r.includes('/contents/team/shared/')),
    ['/repos/acme/prompts/contents/team/shared/review.yaml?ref=c1'],
  )

  const before = await stat(join(promptsDir, 'review.yaml'))
  github.requests.length = 0
  const again = await runSync(deps)
  assert.equal(again.result?.changed, false)
  assert.deepEqual(
    github.requests,
    ['/repos/acme/prompts/commits/main'],
    'an unchanged head reads nothing else',
  )
  assert.equal(
    (await stat(join(promptsDir, 'review.yaml'))).mtimeMs,
    before.mtimeMs,
    'and writes nothing',
  )

  github.head = 'c2'
  github.files.set('review.yaml', 'template: review v2\n')
  const third = await runSync(deps)
  assert.deepEqual([third.result?.added, third.result?.updated], [[], ['review.yaml']])
  assert.equal(await readFile(join(promptsDir, 'review.yaml'), 'utf8'), 'template: review v2\n')
  assert.equal(await readFile(join(promptsDir, 'local-only.yaml'), 'utf8'), 'template: mine\n')
  const status = await readSyncStatus(dataDir)
  assert.equal(status?.commit, 'c2')
  assert.ok(!JSON.stringify(status).includes('ghp_secret'))
})

test('a failing GitHub is recorded in the status, with the last good commit kept', async () => {
  const dataDir = await mkdtemp(join(root, 'data-'))
  await writeFile(
    join(dataDir, 'mcp-sync.json'),
    JSON.stringify({ lastRunAt: 'x', ok: true, commit: 'c0' }),
  )
  const status = await runSync({
    github: { ...config, repo: 'missing' },
    promptsDir: join(root, 'prompts'),
    dataDir,
    fetch,
    log,
  })
  assert.equal(status.ok, false)
  assert.equal(status.error, 'GitHub answered 404 for /repos/acme/missing/commits/main')
  assert.equal(status.commit, 'c0')
})
