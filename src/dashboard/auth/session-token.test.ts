import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sha256 } from '../../credentials/hash.ts'
import { signLoginToken, openLoginToken } from './session-secret.ts'
import { keyIdOf, signSession, signToken, verifySession, type Session } from './session-token.ts'

const secret = randomBytes(32)
const now = 1_800_000_000_000
const session: Session = {
  scope: { kind: 'domain', domains: ['team-a.test'] },
  keyId: keyIdOf(sha256('cnp_live_abc'), secret),
  issuedAt: now,
  expiresAt: now + 60_000,
  nonce: 'n1',
}

test('a signed session verifies and round-trips', () => {
  assert.deepEqual(verifySession(signSession(session, secret), secret, now + 1), session)
})

test('the token holds neither the key nor its plain digest', () => {
  const token = signSession(session, secret)
  const decoded = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()
  assert.ok(!decoded.includes('cnp_live_abc'))
  assert.ok(!decoded.includes(sha256('cnp_live_abc').toString('hex')))
  assert.ok(!decoded.includes(sha256('cnp_live_abc').toString('base64url')))
})

test('forged, tampered, expired and misused tokens are refused', () => {
  const token = signSession(session, secret)
  const [v, , sig] = token.split('.')
  const elevated = Buffer.from(JSON.stringify({ ...session, scope: { kind: 'admin' } })).toString(
    'base64url',
  )
  assert.equal(
    verifySession(`${v}.${elevated}.${sig}`, secret, now),
    undefined,
    'payload swapped under a valid signature',
  )
  assert.equal(
    verifySession(signSession(session, randomBytes(32)), secret, now),
    undefined,
    'another secret',
  )
  assert.equal(verifySession(token, secret, now + 60_000), undefined, 'expired')
  assert.equal(verifySession(`${token}x`, secret, now), undefined, 'signature of wrong length')
  assert.equal(verifySession('v1.e30.AAAA', secret, now), undefined, 'garbage')
  assert.equal(verifySession('', secret, now), undefined, 'empty')
  assert.equal(
    verifySession(signToken('login-link', session, secret), secret, now),
    undefined,
    'a login-link token is not a session',
  )
  assert.equal(
    verifySession(signSession({ ...session, issuedAt: now + 3_600_000 }, secret), secret, now),
    undefined,
    'issued in the future',
  )
})

test('login-link tokens open until they expire and never as sessions', () => {
  const link = signLoginToken(secret, now, 1000)
  assert.equal(typeof openLoginToken(link, secret, now + 999), 'string')
  assert.equal(openLoginToken(link, secret, now + 1000), undefined)
  assert.equal(openLoginToken(link, randomBytes(32), now), undefined)
  assert.equal(openLoginToken(signSession(session, secret), secret, now), undefined)
})
