// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BadRequestError } from '../errors.ts'
import { parseDomain, splitDomain } from './domain.ts'

describe('parseDomain', () => {
  const hostile = [
    '../../etc/passwd',
    'a/b',
    'a\\b',
    '%2e%2e',
    '%2f',
    '..',
    'foo..bar',
    '.',
    'foo bar',
    ' example.com',
    `${'a'.repeat(300)}.com`,
    `${'a'.repeat(64)}.com`,
    'localhost:70000',
    'localhost:0',
    'localhost:',
    'localhost:80:80',
    'example.com\0.json',
    '\0',
    '',
    undefined,
    '-leading.example.com',
    'trailing-.example.com',
    'exa*mple.com',
    'example.com/',
    '[::1',
    '[fe80::1%25eth0]',
    '[not-v6]:3000',
    '::1',
    '\u212Aelvin.example.com',
    'ex\u00e4mple.com',
  ]
  for (const host of hostile) {
    it(`rejects ${JSON.stringify(host)}`, () => {
      assert.throws(() => parseDomain(host), BadRequestError)
    })
  }

  it('rejects with status 400 and does not echo the value', () => {
    try {
      parseDomain('../../etc/passwd')
      assert.fail('expected a throw')
    } catch (err) {
      assert.ok(err instanceof BadRequestError)
      assert.equal(err.status, 400)
      assert.equal(err.message.includes('passwd'), false)
    }
  })

  const valid: [string, string][] = [
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['localhost', 'localhost'],
    ['localhost:3000', 'localhost:3000'],
    ['localhost:03000', 'localhost:3000'],
    ['api.team-1.example.com:443', 'api.team-1.example.com:443'],
    ['example.com.', 'example.com'],
    ['nexus_proxy:3000', 'nexus_proxy:3000'],
    ['127.0.0.1', '127.0.0.1'],
    ['127.0.0.1:65535', '127.0.0.1:65535'],
    ['[::1]', '[::1]'],
    ['[::1]:3000', '[::1]:3000'],
    ['[2001:DB8::1]:8080', '[2001:db8::1]:8080'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ]
  for (const [host, expected] of valid) {
    it(`accepts ${host}`, () => {
      assert.equal(parseDomain(host), expected)
    })
  }

  it('accepts a 253-character name and rejects 254', () => {
    const label = 'a'.repeat(49)
    const name253 = [label, label, label, label, label, 'abc'].join('.')
    assert.equal(name253.length, 253)
    assert.equal(parseDomain(name253), name253)
    assert.throws(() => parseDomain(`a${name253}`), BadRequestError)
  })
})

describe('splitDomain', () => {
  it('separates hostname and port', () => {
    assert.deepEqual(splitDomain('localhost:3000'), { hostname: 'localhost', port: 3000 })
    assert.deepEqual(splitDomain('[::1]:3000'), { hostname: '[::1]', port: 3000 })
    assert.deepEqual(splitDomain('example.com'), { hostname: 'example.com' })
  })
})
