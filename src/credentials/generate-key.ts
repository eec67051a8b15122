import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
// The largest multiple of 62 below 256: bytes at or above it are discarded, because mapping
// all 256 values onto 62 characters would make the first 8 characters more likely.
const UNBIASED_LIMIT = 248
const KEY_LENGTH = 32

/** A new client key: `cnp_live_` and 32 base62 characters (about 190 bits of entropy). */
export function generateClientKey(random: (size: number) => Buffer = randomBytes): string {
  let out = ''
  while (out.length < KEY_LENGTH) {
    for (const byte of random(KEY_LENGTH)) {
      if (byte >= UNBIASED_LIMIT) continue
      out += ALPHABET[byte % ALPHABET.length]
      if (out.length === KEY_LENGTH) break
    }
  }
  return `cnp_live_${out}`
}
