// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  accountIdForKey,
  bearerToken,
  passthroughAuth,
  presentedKeys,
  verifyClientKey,
} from './client-auth.ts'
import { sha256 } from './hash.ts'

const allowed = [sha256('cnp_live_first'), sha256('cnp_live_second')]

describe('verifyClientKey', () => {
  it('accepts a key sent as Authorization: Bearer', () => {
    assert.equal(verifyClientKey({ authorization: 'Bearer cnp_live_second' }, allowed), true)
  })

  it('accepts a key sent as x-api-key', () => {
    assert.equal(verifyClientKey({ 'x-api-key': 'cnp_live_first' }, allowed), true)
  })

  it('accepts header names in any case', () => {
    assert.equal(verifyClientKey({ 'X-Api-Key': 'cnp_live_first' }, allowed), true)
  })

  it('rejects a wrong key, a prefix and a missing key', () => {
    assert.equal(verifyClientKey({ 'x-api-key': 'cnp_live_third' }, allowed), false)
    assert.equal(verifyClientKey({ authorization: 'Bearer cnp_live_firs' }, allowed), false)
    assert.equal(verifyClientKey({}, allowed), false)
    assert.equal(verifyClientKey({ 'x-api-key': 'cnp_live_first' }, []), false)
  })
})

describe('presentedKeys', () => {
  it('reads both headers and strips the Bearer scheme', () => {
    assert.deepEqual(presentedKeys({ 'x-api-key': ' a ', authorization: 'bearer  b' }), ['a', 'b'])
    assert.equal(bearerToken('Basic abc'), 'Basic abc')
  })
})

describe('passthroughAuth', () => {
  it('forwards x-api-key and identifies the account by its hash', () => {
    assert.deepEqual(passthroughAuth({ 'x-api-key': 'sk-ant-api03-client-own' }), {
      accountId: 'acct_07f921ffe4f5bb20',
      headers: { 'x-api-key': 'sk-ant-api03-client-own' },
    })
  })

  it('forwards Authorization and hashes the bearer token', () => {
    assert.deepEqual(passthroughAuth({ authorization: 'Bearer sk-ant-oat01-subscription' }), {
      accountId: 'acct_fb978f8dfe638457',
      headers: { authorization: 'Bearer sk-ant-oat01-subscription' },
    })
  })

  it('is stable and never the key itself', () => {
    const key = 'sk-ant-api03-client-own'
    assert.equal(accountIdForKey(key), accountIdForKey(key))
    assert.notEqual(accountIdForKey(key), key)
    assert.equal(accountIdForKey(key).includes(key), false)
    assert.notEqual(accountIdForKey(key), accountIdForKey('sk-ant-api03-other'))
  })

  it('returns undefined when the client sent no key', () => {
    assert.equal(passthroughAuth({ 'content-type': 'application/json' }), undefined)
    assert.equal(passthroughAuth({ 'x-api-key': '  ' }), undefined)
  })
})
