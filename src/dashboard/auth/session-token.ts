import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** Who a session speaks for: the operator, or the holders of some domains' client keys. */
export type SessionScope = { kind: 'admin' } | { kind: 'domain'; domains: string[] }

export interface Session {
  scope: SessionScope
  /** Identifies the key that logged in (keyed digest, not the key) so revoking it ends the session. */
  keyId: string
  issuedAt: number
  expiresAt: number
  /** Random per login: logout can deny this one session without touching the others. */
  nonce: string
}

const VERSION = 'v1'
const SIGNATURE_BYTES = 32

/**
 * `v1.<payload>.<signature>`: base64url JSON signed with HMAC-SHA256. Tokens are meant for
 * one purpose each (`purpose` is mixed into the MAC), so a login link can never be replayed
 * as a session cookie or the reverse.
 */
export function signToken(purpose: string, payload: object, secret: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${VERSION}.${body}.${mac(purpose, body, secret).toString('base64url')}`
}

/** The payload of a token this secret signed for `purpose`, or undefined. Constant-time. */
export function openToken(purpose: string, token: string, secret: Buffer): unknown {
  const parts = token.split('.')
  if (parts.length !== 3 || parts[0] !== VERSION) return undefined
  const [, body = '', signature = ''] = parts
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== SIGNATURE_BYTES) return undefined
  if (!timingSafeEqual(given, mac(purpose, body, secret))) return undefined
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

function mac(purpose: string, body: string, secret: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${purpose}.${body}`).digest()
}

export function signSession(session: Session, secret: Buffer): string {
  return signToken('session', session, secret)
}

/** A valid, unexpired session, or undefined for anything forged, garbled or stale. */
export function verifySession(token: string, secret: Buffer, now: number): Session | undefined {
  const value = openToken('session', token, secret)
  if (!isSession(value)) return undefined
  if (value.expiresAt <= now || value.issuedAt > now + 60_000) return undefined
  return value
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url')
}

/**
 * A key's identity inside sessions: HMAC of its SHA-256 under the session secret. It lets a
 * request check the key still exists without the cookie carrying the key or a plain digest.
 */
export function keyIdOf(keySha256: Buffer, secret: Buffer): string {
  return createHmac('sha256', secret)
    .update('key-id:')
    .update(keySha256)
    .digest()
    .subarray(0, 16)
    .toString('base64url')
}

/** Constant-time equality of two key ids (or any two short strings). */
export function sameId(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function isSession(v: unknown): v is Session {
  if (typeof v !== 'object' || v === null) return false
  const s = v as Record<string, unknown>
  const scope = s.scope as Record<string, unknown> | null | undefined
  const scopeOk =
    typeof scope === 'object' &&
    scope !== null &&
    (scope.kind === 'admin' ||
      (scope.kind === 'domain' &&
        Array.isArray(scope.domains) &&
        scope.domains.length > 0 &&
        scope.domains.every((d) => typeof d === 'string')))
  return (
    scopeOk &&
    typeof s.keyId === 'string' &&
    typeof s.nonce === 'string' &&
    Number.isFinite(s.issuedAt) &&
    Number.isFinite(s.expiresAt)
  )
}
