import { join } from 'node:path'
import { newNonce, openToken, signToken } from './session-token.ts'
import { randomSecret, readOrCreateSecretFile } from './secret-file.ts'

export const SESSION_SECRET_FILE = 'dashboard-session.secret'

/**
 * The HMAC secret sessions are signed with, kept in DATA_DIR (0600) so sessions survive a
 * restart. It is never the dashboard key: leaking a cookie must not leak the key, and
 * deleting this file logs everybody out.
 */
export async function loadSessionSecret(dataDir: string): Promise<Buffer> {
  const { value } = await readOrCreateSecretFile(join(dataDir, SESSION_SECRET_FILE), () =>
    randomSecret(32),
  )
  return Buffer.from(value, 'base64url')
}

interface LoginTokenPayload {
  expiresAt: number
  nonce: string
}

/** A single-use login link token: what `nexus start` prints instead of the key. */
export function signLoginToken(secret: Buffer, now: number, ttlMs: number): string {
  const payload: LoginTokenPayload = { expiresAt: now + ttlMs, nonce: newNonce() }
  return signToken('login-link', payload, secret)
}

/** The token's nonce when it is genuine and unexpired (single use is the caller's job). */
export function openLoginToken(token: string, secret: Buffer, now: number): string | undefined {
  const value = openToken('login-link', token, secret) as Partial<LoginTokenPayload> | undefined
  if (typeof value?.nonce !== 'string' || typeof value.expiresAt !== 'number') return undefined
  return value.expiresAt > now ? value.nonce : undefined
}
