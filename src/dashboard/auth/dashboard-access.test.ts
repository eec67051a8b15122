import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { ConfigError } from '../../config.ts'
import { isLoopbackHost, prepareDashboardAccess } from './dashboard-access.ts'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexus-access-'))
})
after(() => rm(dir, { recursive: true, force: true }))

const input = (over: Partial<Parameters<typeof prepareDashboardAccess>[0]> = {}) => ({
  host: '127.0.0.1',
  port: 3001,
  apiKey: undefined,
  readOnly: false,
  dataDir: join(dir, 'data'),
  now: 1_800_000_000_000,
  ...over,
})

test('without a key a loopback start creates one in the data directory, mode 0600, and reuses it', async () => {
  const first = await prepareDashboardAccess(input())
  assert.equal(first.keySource, 'created')
  assert.match(first.apiKey ?? '', /^nxd_[A-Za-z0-9_-]{32}$/)
  const file = join(dir, 'data', 'dashboard.key')
  assert.equal((await stat(file)).mode & 0o777, 0o600)
  assert.equal((await stat(join(dir, 'data', 'dashboard-session.secret'))).mode & 0o777, 0o600)
  assert.equal((await readFile(file, 'utf8')).trim(), first.apiKey)
  const second = await prepareDashboardAccess(input())
  assert.equal(second.keySource, 'data-dir')
  assert.equal(second.apiKey, first.apiKey)
})

test('the login URL carries a single-use token, never the key', async () => {
  const access = await prepareDashboardAccess(input())
  assert.match(access.loginUrl ?? '', /^http:\/\/127\.0\.0\.1:3001\/login\?token=v1\./)
  assert.ok(!access.loginUrl?.includes(access.apiKey ?? '-'))
})

test('a configured key is used as is and nothing is written', async () => {
  const access = await prepareDashboardAccess(
    input({ apiKey: 'configured-key', dataDir: join(dir, 'other') }),
  )
  assert.equal(access.apiKey, 'configured-key')
  assert.equal(access.keySource, 'config')
  await assert.rejects(stat(join(dir, 'other', 'dashboard.key')))
})

test('a non-loopback bind without a key refuses to start, naming the variables', async () => {
  await assert.rejects(prepareDashboardAccess(input({ host: '0.0.0.0' })), (err: Error) => {
    assert.ok(err instanceof ConfigError)
    assert.match(err.message, /listen on 0\.0\.0\.0, which is not a loopback address/)
    assert.match(err.message, /DASHBOARD_API_KEY/)
    assert.match(err.message, /DASHBOARD_READ_ONLY=true/)
    return true
  })
  // Even with a key file left from an earlier loopback run: exposure needs an explicit key.
  await assert.rejects(prepareDashboardAccess(input({ host: '192.168.1.5' })), ConfigError)
})

test('DASHBOARD_READ_ONLY=true without a key is allowed anywhere, loudly', async () => {
  const access = await prepareDashboardAccess(
    input({ host: '0.0.0.0', readOnly: true, dataDir: join(dir, 'ro') }),
  )
  assert.equal(access.apiKey, undefined)
  assert.equal(access.loginUrl, undefined)
  assert.match(
    access.warnings.join('\n'),
    /anyone who can reach the dashboard port can read every stored conversation/,
  )
})

test('a key file with a loose mode is tightened', async () => {
  const data = join(dir, 'loose')
  await prepareDashboardAccess(input({ dataDir: data }))
  const file = join(data, 'dashboard.key')
  await writeFile(file, 'nxd_handmade\n', { mode: 0o644 })
  const { chmod } = await import('node:fs/promises')
  await chmod(file, 0o644)
  const access = await prepareDashboardAccess(input({ dataDir: data }))
  assert.equal(access.apiKey, 'nxd_handmade')
  assert.equal((await stat(file)).mode & 0o777, 0o600)
})

test('loopback addresses', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'app.localhost'])
    assert.equal(isLoopbackHost(h), true, h)
  for (const h of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', '128.0.0.1'])
    assert.equal(isLoopbackHost(h), false, h)
})
