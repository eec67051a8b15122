#!/usr/bin/env node
// Runs the whole suite once with node's test runner. Database tests inside it run on every
// backend listed in NEXUS_TEST_BACKENDS (default: pglite and postgres), so one run covers
// the matrix. PostgreSQL comes from TEST_DATABASE_URL; without it a local database
// `nexus_test` on 127.0.0.1:5432 is created when missing.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'

const roots = ['src', 'test-support', 'bench']
const filter = process.argv.slice(2)

function findTests(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...findTests(path))
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(path)
  }
  return out
}

async function ensurePostgres(env) {
  if (!env.TEST_DATABASE_URL) {
    env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/nexus_test'
  }
  const url = new URL(env.TEST_DATABASE_URL)
  const dbName = url.pathname.slice(1)
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.href })
  try {
    await client.connect()
  } catch (err) {
    console.error(`PostgreSQL is not reachable at ${admin.host}: ${err.message}`)
    console.error('Start it, set TEST_DATABASE_URL, or run with NEXUS_TEST_BACKENDS=pglite.')
    process.exit(1)
  }
  const found = await client.query('select 1 from pg_database where datname = $1', [dbName])
  if (found.rowCount === 0) await client.query(`create database "${dbName.replace(/"/g, '')}"`)
  await client.end()
}

// The browser tests drive Debian's chromium (never a downloaded one); without it they would
// fail deep inside playwright, so the missing piece is named before anything runs.
function requireChromium(files, env) {
  const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (existsSync(chromium)) return
  const browserTests = files.filter((f) => readFileSync(f, 'utf8').includes('browser-support'))
  if (browserTests.length === 0) return
  console.error(
    `Chromium is missing (${chromium}), needed by ${browserTests.join(', ')}: ` +
      'install it with `apt-get install chromium` (.ci/run does) or set CHROMIUM_PATH.',
  )
  process.exit(1)
}

const env = { ...process.env }
env.NEXUS_TEST_BACKENDS ??= 'pglite,postgres'
if (env.NEXUS_TEST_BACKENDS.split(',').includes('postgres')) await ensurePostgres(env)

let files = roots.flatMap((root) => findTests(root)).sort()
if (filter.length > 0) files = files.filter((f) => filter.some((part) => f.includes(part)))
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
requireChromium(files, env)
const concurrency = env.NEXUS_TEST_CONCURRENCY ?? '2'
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit', env },
)
process.exit(result.status ?? 1)
