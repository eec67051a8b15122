import assert from 'node:assert/strict'
import { test } from 'node:test'
import { findSecrets, scrubSecrets, storableJson } from './redact.ts'

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

test('admin keys, lowercase bearer, key-like names and query parameters are masked', () => {
  assert.equal(
    scrubSecrets('admin sk-ant-admin01-AbCdEf0123456789 ok'),
    'admin sk-ant-admin01-[redacted] ok',
  )
  assert.equal(
    scrubSecrets('authorization: bearer abcdefgh1234'),
    'authorization: bearer [redacted]',
  )
  assert.equal(scrubSecrets('BEARER abcdefgh1234'), 'BEARER [redacted]')
  assert.equal(scrubSecrets('x-api-key: opaque-value-123'), 'x-api-key: [redacted]')
  assert.equal(
    scrubSecrets('{"refresh_token":"opaque.refresh.value","n":1}'),
    '{"refresh_token":"[redacted]","n":1}',
  )
  assert.equal(
    scrubSecrets('{"input":"{\\"api_key\\": \\"opaquevalue99\\"}"}'),
    '{"input":"{\\"api_key\\": \\"[redacted]\\"}"}',
  )
  assert.equal(
    scrubSecrets('beta=true&key=AIzaSyA-1234&token=t0k&x=1'),
    'beta=true&key=[redacted]&token=[redacted]&x=1',
  )
  assert.equal(
    scrubSecrets('max_tokens: 1024, input_tokens=12345678'),
    'max_tokens: 1024, input_tokens=12345678',
  )
})

test('keys spelled with JSON escapes are masked in the decoded form', () => {
  const escaped = '{"k":"sk\\u002dant\\u002dapi03\\u002dSECRETSECRET123","n":"caf\\u00e9"}'
  const out = scrubSecrets(escaped)
  assert.deepEqual(JSON.parse(out), { k: 'sk-ant-api03-[redacted]', n: 'café' })
  assert.ok(out.includes('"n":"caf\\u00e9"'), 'literals without a secret keep their bytes')
  assert.equal(
    JSON.parse(scrubSecrets('{"h":"Bearer\\u0020abc\\/def123456"}')).h,
    'Bearer [redacted]',
  )
})

test('findSecrets lists what scrubSecrets masks', () => {
  assert.deepEqual(findSecrets('a sk-ant-api03-AAAAAAAAAAAA b cnp_live_BBBBBBBBBB [redacted]'), [
    'sk-ant-api03-AAAAAAAAAAAA',
    'cnp_live_BBBBBBBBBB',
  ])
  assert.deepEqual(findSecrets('nothing here'), [])
})
