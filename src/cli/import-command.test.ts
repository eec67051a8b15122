import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, before, test } from 'node:test'
import { openPglite } from '../db/database.ts'
import {
  jsonl,
  mainTranscript,
  SESSION,
  subagentTranscript,
} from '../import/fixtures/transcript.ts'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'nexus.js')

// `nexus import` as a user runs it: default folder from HOME, embedded database in DATA_DIR.
let home: string
let env: Record<string, string>
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'nexus-import-cli-'))
  const project = join(home, '.claude', 'projects', '-home-dev-app')
  await mkdir(join(project, SESSION, 'subagents'), { recursive: true })
  await writeFile(join(project, `${SESSION}.jsonl`), `${jsonl(mainTranscript())}not json\n`)
  await writeFile(
    join(project, SESSION, 'subagents', 'agent-a1.jsonl'),
    jsonl(subagentTranscript()),
  )
  env = {
    PATH: process.env.PATH ?? '',
    NEXUS_FROM_SOURCE: '1',
    HOME: home,
    DATA_DIR: join(home, 'data'),
    CREDENTIALS_DIR: join(home, 'credentials'),
    LOG_LEVEL: 'warn',
  }
})
after(() => rm(home, { recursive: true, force: true }))

const nexus = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { env, cwd: home })

test('nexus import --help shows its usage and runs nothing', async () => {
  const { stdout } = await nexus('import', '--help')
  assert.match(stdout, /^nexus import \[PATH…\] \[--dry-run\] \[--domain NAME\]/)
})

test('nexus import: dry run, then the import, then nothing twice', async () => {
  const dry = await nexus('import', '--dry-run')
  assert.match(dry.stdout, /^dry run: nothing written\. 2 files, 18 lines, 5 API messages/m)
  assert.match(dry.stdout, /^would import 5, already stored 0$/m)
  const file = join(home, '.claude', 'projects', '-home-dev-app', `${SESSION}.jsonl`)
  assert.match(dry.stdout, new RegExp(`^1 malformed lines skipped:\\n  ${file}:14: not JSON$`, 'm'))

  const first = await nexus('import')
  assert.match(first.stdout, /^imported 5, already stored 0$/m)
  assert.match(
    first.stdout,
    /^tokens imported: input 722, output 113, cache writes 3100, cache reads 6000$/m,
  )
  assert.match(first.stdout, /^cost imported: \$0\.021786$/m)
  assert.match(first.stderr, /2\/2 files {2}18 lines {2}5 messages/)
  const again = await nexus('import', join(home, '.claude', 'projects'))
  assert.match(again.stdout, /^imported 0, already stored 5$/m)

  const db = openPglite(join(home, 'data', 'pglite'))
  try {
    const rows = await db.kysely
      .selectFrom('api_requests')
      .select(['message_id', 'source', 'domain'])
      .orderBy('seq')
      .execute()
    assert.deepEqual(
      rows.map((r) => [r.message_id, r.source, r.domain]),
      ['msg_A', 'msg_B', 'msg_C', 'msg_S1', 'msg_S2'].map((id) => [
        id,
        'claude-code-import',
        'claude-code-import',
      ]),
    )
  } finally {
    await db.close()
  }
})

test('nexus import of a path that does not exist fails with one line', async () => {
  await assert.rejects(
    nexus('import', join(home, 'nowhere')),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1)
      assert.match(err.stderr, /^nexus import: ENOENT/)
      return true
    },
  )
})
