// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  clientKeysOf,
  credentialFileNames,
  CredentialFileError,
  parseCredentialFile,
} from './credential-file.ts'

function parseError(text: string): CredentialFileError {
  try {
    parseCredentialFile(text, 'example.com.credentials.json')
  } catch (err) {
    assert.ok(err instanceof CredentialFileError)
    return err
  }
  throw new Error('expected a CredentialFileError')
}

describe('parseCredentialFile', () => {
  it('reads an api_key file and keeps fields it does not know', () => {
    const text = JSON.stringify({
      type: 'api_key',
      api_key: 'sk-ant-api03-x',
      accountId: 'acc_1',
      client_api_key: 'cnp_live_a',
      slack: { webhook_url: 'https://hooks.slack.test/T1', channel: '#ops', enabled: true },
      note: 'kept',
    })
    assert.deepEqual(parseCredentialFile(text, 'f'), {
      type: 'api_key',
      api_key: 'sk-ant-api03-x',
      accountId: 'acc_1',
      client_api_key: 'cnp_live_a',
      slack: { webhook_url: 'https://hooks.slack.test/T1', channel: '#ops', enabled: true },
      note: 'kept',
    })
  })

  it('reads an oauth file', () => {
    const oauth = {
      accessToken: 'sk-ant-oat01-a',
      refreshToken: 'sk-ant-ort01-r',
      expiresAt: 1_700_000_000_000,
      scopes: ['user:inference'],
      isMax: true,
    }
    const text = JSON.stringify({ type: 'oauth', oauth, accountId: 'acc_2' })
    assert.deepEqual(parseCredentialFile(text, 'f'), { type: 'oauth', oauth, accountId: 'acc_2' })
  })

  it('names the file and never quotes content when JSON is broken', () => {
    const err = parseError('{"type":"api_key","api_key": sk-ant-secret-value }')
    assert.equal(err.message, 'Credential file example.com.credentials.json is not valid JSON')
    assert.equal(err.status, 500)
  })

  it('names the fields at fault without their values', () => {
    const err = parseError(
      JSON.stringify({
        type: 'oauth',
        oauth: { accessToken: 'sk-ant-oat01-secret', refreshToken: 'r', expiresAt: '2025-01-01' },
        accountId: 'acc',
      }),
    )
    assert.equal(
      err.message,
      'Credential file example.com.credentials.json is invalid: ' +
        'oauth.expiresAt: Invalid input: expected number, received string',
    )
  })

  it('names an unknown type', () => {
    const err = parseError(JSON.stringify({ type: 'password', accountId: 'a' }))
    assert.match(err.message, /^Credential file example\.com\.credentials\.json is invalid: type: /)
  })

  it('lists every missing field', () => {
    const err = parseError(JSON.stringify({ type: 'api_key' }))
    assert.match(err.message, /api_key: /)
    assert.match(err.message, /accountId: /)
  })
})

describe('credentialFileNames', () => {
  it('tries the domain, then the hostname when a port is present', () => {
    assert.deepEqual(credentialFileNames('localhost:3000'), [
      'localhost:3000.credentials.json',
      'localhost.credentials.json',
    ])
    assert.deepEqual(credentialFileNames('example.com'), ['example.com.credentials.json'])
  })
})

describe('clientKeysOf', () => {
  it('combines client_api_keys and client_api_key', () => {
    const file = parseCredentialFile(
      JSON.stringify({
        type: 'api_key',
        api_key: 'k',
        accountId: 'a',
        client_api_key: 'one',
        client_api_keys: ['two', 'three'],
      }),
      'f',
    )
    assert.deepEqual(clientKeysOf(file), ['two', 'three', 'one'])
  })
})
