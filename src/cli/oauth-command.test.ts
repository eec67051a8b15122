import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startTokenServer, tempDir, type TokenServer } from '../credentials/test-support.ts'
import { runNexus } from '../../test-support/nexus-process.ts'

describe('nexus oauth', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let server: TokenServer
  let env: Record<string, string>
  before(async () => {
    ;({ dir, cleanup } = await tempDir())
    server = await startTokenServer()
    env = {
      CREDENTIALS_DIR: join(dir, 'credentials'),
      DATA_DIR: join(dir, 'data'),
      CLAUDE_OAUTH_TOKEN_URL: server.url,
      CLAUDE_OAUTH_AUTHORIZE_URL: 'https://auth.example.test/oauth/authorize',
      CLAUDE_OAUTH_CLIENT_ID: 'cli-test-client',
    }
  })
  after(async () => {
    await server.close()
    await cleanup()
  })

  /** Runs `oauth login`, pasting `code#<state from the printed link>` (or `paste(state)`). */
  function login(domain: string, paste = (state: string) => `the-code#${state}`) {
    let link: URL | undefined
    const run = runNexus(['oauth', 'login', domain, '--json'], env, (stdout) => {
      const line = stdout.split('\n')[0]
      if (!stdout.includes('\n') || !line) return undefined
      link = new URL(line)
      return `${paste(link.searchParams.get('state')!)}\n`
    })
    return run.then((result) => ({ ...result, link: link! }))
  }

  test('login: the link carries an S256 challenge of the verifier sent; the file is 0600', async () => {
    server.reply = () => ({
      status: 200,
      body: {
        access_token: 'at-1',
        refresh_token: 'rt-1',
        expires_in: 3600,
        scope: 'user:inference',
      },
    })
    const before = Date.now()
    const run = await login('team.example.com')
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.link.origin + run.link.pathname, 'https://auth.example.test/oauth/authorize')
    const sent = server.requests.at(-1)?.body as Record<string, string>
    assert.equal(sent['grant_type'], 'authorization_code')
    assert.equal(sent['code'], 'the-code')
    assert.equal(sent['client_id'], 'cli-test-client')
    const challenge = createHash('sha256').update(sent['code_verifier']!).digest('base64url')
    assert.equal(run.link.searchParams.get('code_challenge'), challenge)
    assert.equal(run.link.searchParams.get('code_challenge_method'), 'S256')

    const path = join(env['CREDENTIALS_DIR']!, 'team.example.com.credentials.json')
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    const file = JSON.parse(await readFile(path, 'utf8')) as {
      oauth: { accessToken: string; refreshToken: string; expiresAt: number }
    }
    assert.equal(file.oauth.accessToken, 'at-1')
    assert.equal(file.oauth.refreshToken, 'rt-1')
    assert.ok(file.oauth.expiresAt >= before + 3_600_000)
    const printed = JSON.parse(run.stdout.split('\n')[1]!) as { file: string; expiresAt: number }
    assert.equal(printed.file, path)
    assert.equal(printed.expiresAt, file.oauth.expiresAt)
  })

  test('login: a code for another state is a usage error (2) and reaches no endpoint', async () => {
    const count = server.requests.length
    const run = await login('other.example.com', () => 'the-code#forged-state')
    assert.equal(run.code, 2)
    assert.match(run.stderr, /belongs to another login/)
    assert.equal(server.requests.length, count)
  })

  test('login: a refused code exits 4', async () => {
    server.reply = () => ({ status: 400, body: { error: 'invalid_grant' } })
    const run = await login('other.example.com')
    assert.equal(run.code, 4)
    assert.match(run.stderr, /refused the code \(HTTP 400, invalid_grant\)/)
  })

  test('refresh: rotates the tokens now; status shows them; unknown domain exits 3', async () => {
    server.reply = () => ({
      status: 200,
      body: { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 7200 },
    })
    const run = await runNexus(['oauth', 'refresh', 'team.example.com', '--json'], env)
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(server.requests.at(-1)?.body, {
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      client_id: 'cli-test-client',
    })
    const status = await runNexus(['oauth', 'status', '--json'], env)
    assert.equal(status.code, 0, status.stderr)
    const rows = JSON.parse(status.stdout) as {
      domain: string
      kind: string
      expiresAt: number
      refreshedAt: number
    }[]
    assert.deepEqual(
      rows.map((r) => [r.domain, r.kind]),
      [['team.example.com', 'oauth']],
    )
    assert.equal((JSON.parse(run.stdout) as { expiresAt: number }).expiresAt, rows[0]!.expiresAt)
    assert.ok(rows[0]!.expiresAt - rows[0]!.refreshedAt === 7_200_000)
    assert.ok(!status.stdout.includes('at-2'), 'no token in the status')

    const missing = await runNexus(['oauth', 'refresh', 'nobody.example.com'], env)
    assert.equal(missing.code, 3)
    assert.match(missing.stderr, /No credential file for nobody\.example\.com/)
  })

  test('a wrong command line exits 2 with the usage', async () => {
    const run = await runNexus(['oauth', 'status', '--bogus'], env)
    assert.equal(run.code, 2)
    assert.match(run.stderr, /nexus oauth login <domain>/)
  })
})
