import type { Hash } from 'node:crypto'
import { isRecord } from './records.ts'

/**
 * JSON with object keys sorted at every depth, so two bodies that differ only in key order
 * (different SDKs, re-serialised records) hash the same. Array order is meaningful and kept.
 */
export function canonicalJson(value: unknown): string {
  const pieces: string[] = []
  writeCanonicalJson(value, (piece) => pieces.push(piece))
  return pieces.join('')
}

/**
 * Feeds `value`'s canonical JSON (exactly the bytes canonicalJson returns) into `hash` without
 * building the whole text: built by nesting, a message with a 1 MB text block became ~5 MB of
 * intermediate strings, the largest share of the proxy's garbage per large request.
 */
export function hashCanonicalJson(hash: Hash, value: unknown): void {
  let pending = ''
  writeCanonicalJson(value, (piece) => {
    // Small pieces are gathered so the hash is not called once per key and comma.
    if (pending.length + piece.length < FLUSH_CHARS) {
      pending += piece
      return
    }
    hash.update(pending, 'utf8').update(piece, 'utf8')
    pending = ''
  })
  hash.update(pending, 'utf8')
}

const FLUSH_CHARS = 16 * 1024

/** The canonical JSON of `value`, written piece by piece (no piece spans two values). */
export function writeCanonicalJson(value: unknown, write: (piece: string) => void): void {
  if (Array.isArray(value)) {
    write('[')
    for (let i = 0; i < value.length; i++) {
      if (i > 0) write(',')
      const item: unknown = value[i]
      // JSON.stringify turns undefined array slots into null; keep that so positions never
      // shift. A hole (never in parsed JSON) joins as nothing, as Array#join made it.
      if (item !== undefined) writeCanonicalJson(item, write)
      else if (i in value) write('null')
    }
    write(']')
    return
  }
  if (isRecord(value)) {
    write('{')
    let first = true
    for (const key of Object.keys(value).sort()) {
      if (value[key] === undefined) continue
      write(`${first ? '' : ','}${JSON.stringify(key)}:`)
      first = false
      writeCanonicalJson(value[key], write)
    }
    write('}')
    return
  }
  if (typeof value === 'string' && value.length > STRING_CHUNK) writeLongString(value, write)
  else write(JSON.stringify(value) ?? 'null')
}

const STRING_CHUNK = 16 * 1024

// A pasted file or an image's base64 is one string of megabytes: quoted in chunks, its quoted
// copy never exists whole. JSON.stringify escapes each UTF-16 unit alone except a surrogate
// pair, which is kept whole (a lone surrogate becomes \uXXXX), so no cut falls inside a pair.
function writeLongString(value: string, write: (piece: string) => void): void {
  write('"')
  for (let start = 0; start < value.length;) {
    let end = Math.min(start + STRING_CHUNK, value.length)
    if (end < value.length && isHighSurrogate(value.charCodeAt(end - 1))) end -= 1
    write(JSON.stringify(value.slice(start, end)).slice(1, -1))
    start = end
  }
  write('"')
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}
