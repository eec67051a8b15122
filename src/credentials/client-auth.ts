import { timingSafeEqual } from 'node:crypto'
import { sha256 } from './hash.ts'

export type ClientHeaders = Record<string, string | string[] | undefined>

/** A header as the client sent it, whatever the case of the key; `name` is lowercase. */
export function rawHeader(headers: ClientHeaders, name: string): string | string[] | undefined {
  const value = headers[name]
  if (value !== undefined) return value
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name)
  return key === undefined ? undefined : headers[key]
}

/** The first non-blank value of a header, trimmed. */
export function headerValue(headers: ClientHeaders, name: string): string | undefined {
  const value = rawHeader(headers, name)
  const first = Array.isArray(value) ? value[0] : value
  return first === undefined || first.trim() === '' ? undefined : first.trim()
}

/** The token of an `Authorization: Bearer …` header, or the raw value for other schemes. */
export function bearerToken(authorization: string): string {
  const match = /^bearer\s+(.+)$/i.exec(authorization)
  return (match?.[1] ?? authorization).trim()
}

/** Keys the client presented, from `x-api-key` and `Authorization`. */
export function presentedKeys(headers: ClientHeaders): string[] {
  const keys: string[] = []
  const apiKey = headerValue(headers, 'x-api-key')
  if (apiKey !== undefined) keys.push(apiKey)
  const authorization = headerValue(headers, 'authorization')
  if (authorization !== undefined) keys.push(bearerToken(authorization))
  return keys
}

/**
 * True when any presented key equals one of the allowed ones. Both sides are SHA-256 digests,
 * so timingSafeEqual compares equal lengths and the time taken reveals nothing about the
 * allowed keys; every pair is compared, so neither does the position of a match.
 */
export function verifyClientKey(headers: ClientHeaders, allowed: readonly Buffer[]): boolean {
  let ok = false
  for (const key of presentedKeys(headers)) {
    const digest = sha256(key)
    for (const candidate of allowed) ok = timingSafeEqual(digest, candidate) || ok
  }
  return ok
}

/**
 * Account id for a client that brings its own upstream key: `acct_` and the first 16 hex
 * characters of the key's SHA-256, stable across restarts and instances, never the key.
 */
export function accountIdForKey(key: string): string {
  return `acct_${sha256(key).toString('hex').slice(0, 16)}`
}

export interface PassthroughAuth {
  accountId: string
  headers: Record<string, string>
}

/** The client's own upstream auth headers, or undefined when it sent none. */
export function passthroughAuth(headers: ClientHeaders): PassthroughAuth | undefined {
  const apiKey = headerValue(headers, 'x-api-key')
  const authorization = headerValue(headers, 'authorization')
  const out: Record<string, string> = {}
  if (apiKey !== undefined) out['x-api-key'] = apiKey
  if (authorization !== undefined) out['authorization'] = authorization
  const identity = apiKey ?? (authorization === undefined ? undefined : bearerToken(authorization))
  if (identity === undefined) return undefined
  return { accountId: accountIdForKey(identity), headers: out }
}
