// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { BadRequestError } from '../errors.ts'
import { CredentialFileError } from './credential-file.ts'
import { createCredentialStore } from './credential-store.ts'
import type { CredentialStore } from './credential-store.ts'
import { manualClock, tempDir, writeJson } from './test-support.ts'

const apiKeyFile = (api_key: string) => ({ type: 'api_key', api_key, accountId: 'acc_store' })

describe('credential store', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let clock: ReturnType<typeof manualClock>
  let store: CredentialStore

  beforeEach(async () => {
    ;({ dir, cleanup } = await tempDir())
    clock = manualClock()
    store = createCredentialStore({ dir, clock: clock.read, recheckMs: 1000 })
  })
  afterEach(() => cleanup())

  async function apiKeyOf(domain: string): Promise<string | undefined> {
    const loaded = await store.find(domain)
    return loaded?.file.type === 'api_key' ? loaded.file.api_key : undefined
  }

  it('loads a domain file', async () => {
    await writeJson(dir, 'example.com.credentials.json', apiKeyFile('sk-one'))
    const loaded = await store.find('example.com')
    assert.equal(loaded?.fileName, 'example.com.credentials.json')
    assert.equal(loaded?.path, join(dir, 'example.com.credentials.json'))
    assert.equal(loaded?.file.accountId, 'acc_store')
  })

  it('re-reads a file after it changes, but not within the recheck interval', async () => {
    await writeJson(dir, 'example.com.credentials.json', apiKeyFile('sk-one'))
    assert.equal(await apiKeyOf('example.com'), 'sk-one')
    await writeJson(dir, 'example.com.credentials.json', apiKeyFile('sk-two-longer'))
    clock.now += 999
    assert.equal(await apiKeyOf('example.com'), 'sk-one')
    clock.now += 1
    assert.equal(await apiKeyOf('example.com'), 'sk-two-longer')
  })

  it('returns the same object while the file is unchanged', async () => {
    await writeJson(dir, 'example.com.credentials.json', apiKeyFile('sk-one'))
    const first = await store.find('example.com')
    clock.now += 5000
    assert.equal(await store.find('example.com'), first)
  })

  it('treats a missing file as pass-through and caches that briefly', async () => {
    assert.equal(await store.find('example.com'), undefined)
    await writeJson(dir, 'example.com.credentials.json', apiKeyFile('sk-new'))
    assert.equal(await store.find('example.com'), undefined)
    clock.now += 1000
    assert.equal(await apiKeyOf('example.com'), 'sk-new')
  })

  it('forgets a deleted file', async () => {
    const path = await writeJson(dir, 'example.com.credentials.json', apiKeyFile('sk-one'))
    assert.equal(await apiKeyOf('example.com'), 'sk-one')
    await unlink(path)
    clock.now += 1000
    assert.equal(await store.find('example.com'), undefined)
  })

  it('falls back from domain:port to the hostname file', async () => {
    await writeJson(dir, 'localhost.credentials.json', apiKeyFile('sk-host'))
    assert.equal(await apiKeyOf('localhost:3000'), 'sk-host')
    await writeJson(dir, 'localhost:3000.credentials.json', apiKeyFile('sk-port'))
    clock.now += 1000
    assert.equal(await apiKeyOf('localhost:3000'), 'sk-port')
    assert.equal(await apiKeyOf('localhost:3001'), 'sk-host')
  })

  it('reports an invalid file by name and field, and recovers when it is fixed', async () => {
    await writeFile(
      join(dir, 'bad.example.credentials.json'),
      JSON.stringify({ type: 'api_key', api_key: 'sk-secret-123' }),
    )
    await assert.rejects(store.find('bad.example'), (err: unknown) => {
      assert.ok(err instanceof CredentialFileError)
      assert.equal(
        err.message,
        'Credential file bad.example.credentials.json is invalid: ' +
          'accountId: Invalid input: expected string, received undefined',
      )
      return true
    })
    await writeJson(dir, 'bad.example.credentials.json', apiKeyFile('sk-fixed'))
    clock.now += 1000
    assert.equal(await apiKeyOf('bad.example'), 'sk-fixed')
  })

  it('refuses a domain that is not canonical before touching the disk', async () => {
    await assert.rejects(store.find('../etc/passwd'), BadRequestError)
    await assert.rejects(store.find('Example.com'), BadRequestError)
  })

  it('shares one disk check between concurrent lookups', async () => {
    await writeJson(dir, 'example.com.credentials.json', apiKeyFile('sk-one'))
    const results = await Promise.all(Array.from({ length: 20 }, () => store.find('example.com')))
    assert.equal(new Set(results).size, 1)
  })

  it('writes an update atomically with mode 0600 and serves it', async () => {
    const path = await writeJson(dir, 'example.com.credentials.json', apiKeyFile('sk-one'))
    await store.find('example.com')
    await store.update(path, { type: 'api_key', api_key: 'sk-updated', accountId: 'acc_store' })
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal(await apiKeyOf('example.com'), 'sk-updated')
    clock.now += 1000
    assert.equal(await apiKeyOf('example.com'), 'sk-updated')
  })
})
