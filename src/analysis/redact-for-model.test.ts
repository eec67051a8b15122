import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactForModel } from './redact-for-model.ts'

test('personal data, keys, tokens, connection strings and card numbers are masked', () => {
  const text = [
    'mail jane.doe+work@example.co.uk about it',
    'key sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
    'postgres://admin:hunter2pass@db.internal:5432/prod',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'AKIAABCDEFGHIJKLMNOP',
    'card 4111 1111 1111 1111 and order 1234567890123',
    'password=correcthorse',
    'Authorization: Bearer abcdefghijklmnop',
  ].join('\n')
  assert.equal(
    redactForModel(text),
    [
      'mail [email] about it',
      'key sk-ant-api03-[redacted]',
      'postgres://admin:[redacted]@db.internal:5432/prod',
      '[token]',
      '[aws-key]',
      'card [card] and order 1234567890123',
      'password=[redacted]',
      'Authorization: Bearer [redacted]',
    ].join('\n'),
  )
})
