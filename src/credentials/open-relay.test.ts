import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { ConfigError } from '../config.ts'
import { checkOpenRelay } from './open-relay.ts'

let withFile: string
let empty: string
before(async () => {
  withFile = await mkdtemp(join(tmpdir(), 'nexus-relay-'))
  empty = await mkdtemp(join(tmpdir(), 'nexus-relay-empty-'))
  await writeFile(join(withFile, 'team.example.credentials.json'), '{}', { mode: 0o600 })
})
after(async () => {
  await rm(withFile, { recursive: true, force: true })
  await rm(empty, { recursive: true, force: true })
})

const base = { enableClientAuth: false, allowOpenRelay: false }

test('a non-loopback bind with credential files and no client auth refuses to start', async () => {
  await assert.rejects(
    checkOpenRelay({ ...base, host: '0.0.0.0', credentialsDir: withFile }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /ENABLE_CLIENT_AUTH=true/.test(err.message) &&
      /PROXY_ALLOW_OPEN_RELAY=true/.test(err.message),
  )
})

test('client auth, a loopback bind or no credential files is fine', async () => {
  const safe = [
    { ...base, host: '0.0.0.0', credentialsDir: withFile, enableClientAuth: true },
    { ...base, host: '127.0.0.1', credentialsDir: withFile },
    { ...base, host: '::1', credentialsDir: withFile },
    { ...base, host: '0.0.0.0', credentialsDir: empty },
    { ...base, host: '0.0.0.0', credentialsDir: join(empty, 'missing') },
  ]
  for (const input of safe) assert.equal(await checkOpenRelay(input), undefined, input.host)
})

test('PROXY_ALLOW_OPEN_RELAY=true starts with a warning', async () => {
  const warning = await checkOpenRelay({
    ...base,
    host: '10.1.2.3',
    credentialsDir: withFile,
    allowOpenRelay: true,
  })
  assert.match(
    warning ?? '',
    /10\.1\.2\.3 .* 1 credential file\(s\).*Allowed by PROXY_ALLOW_OPEN_RELAY/,
  )
})
