import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'

const RUNNER = join(import.meta.dirname, '../scripts/test.mjs')

test('without Chromium the suite names what is missing and how to install it, before running', () => {
  const run = spawnSync(process.execPath, [RUNNER, 'dashboard-browser'], {
    cwd: join(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      CHROMIUM_PATH: '/nonexistent/chromium',
      NEXUS_TEST_BACKENDS: 'pglite',
    },
    encoding: 'utf8',
  })
  assert.equal(run.status, 1)
  assert.equal(
    run.stderr,
    'Chromium is missing (/nonexistent/chromium), needed by src/dashboard/dashboard-browser.test.ts: ' +
      'install it with `apt-get install chromium` (.ci/run does) or set CHROMIUM_PATH.\n',
  )
  assert.equal(run.stdout, '')
})
