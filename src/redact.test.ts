import assert from 'node:assert/strict'
import { test } from 'node:test'
import { scrubSecrets, storableJson } from './redact.ts'

test('keys and tokens keep only their prefix', () => {
  assert.equal(
    scrubSecrets('key sk-ant-api03-AbCdEf0123456789_-xyz and sk-ant-oat01-QQQQQQQQQQQQ end'),
    'key sk-ant-api03-[redacted] and sk-ant-oat01-[redacted] end',
  )
  assert.equal(scrubSecrets('client cnp_live_A1b2C3d4E5f6G7h8'), 'client cnp_live_[redacted]')
  assert.equal(
    scrubSecrets('Authorization: Bearer eyJhbGciOi.payload.sig'),
    'Authorization: Bearer [redacted]',
  )
})

test('ordinary text is left alone', () => {
  assert.equal(
    scrubSecrets('the sk-ant- prefix alone, a Bearer of news'),
    'the sk-ant- prefix alone, a Bearer of news',
  )
})

test('storable JSON drops NUL escapes but not an escaped backslash before "u0000"', () => {
  assert.equal(storableJson('{"a":"x\\u0000y"}'), '{"a":"xy"}')
  assert.equal(storableJson('{"a":"x\\\\u0000y"}'), '{"a":"x\\\\u0000y"}')
  assert.deepEqual(JSON.parse(storableJson('{"k":"sk-ant-api03-secretsecretsecret"}')), {
    k: 'sk-ant-api03-[redacted]',
  })
})
