import { createHash } from 'node:crypto'
import { jsonDepth, MAX_STORED_JSON_DEPTH } from './json-depth.ts'

/**
 * A /v1/messages body cut into the parts that repeat from turn to turn (the system prompt, the
 * tools and each message) and the envelope around them: `segments[0] + parts[0] + segments[1]
 * + … + parts[n-1] + segments[n]` is the original text, byte for byte.
 */
export interface BodyParts {
  segments: string[]
  parts: Array<{ hash: string; text: string }>
}

// A part this short costs about as much as its reference; it stays in the envelope.
const MIN_PART_CHARS = 64

/**
 * Splits JSON text without re-serialising it. Undefined (store the body whole) when the text
 * is not a JSON object with a `messages` array, or nests deeper than a jsonb column takes.
 */
export function splitBody(text: string): BodyParts | undefined {
  const ranges = partRanges(text)
  if (ranges === undefined || jsonDepth(text) > MAX_STORED_JSON_DEPTH) return undefined
  const segments: string[] = []
  const parts: BodyParts['parts'] = []
  let from = 0
  for (const [start, end] of ranges) {
    if (end - start < MIN_PART_CHARS) continue
    segments.push(text.slice(from, start))
    const part = text.slice(start, end)
    parts.push({ hash: sha256Hex(part), text: part })
    from = end
  }
  segments.push(text.slice(from))
  return { segments, parts }
}

/** The inverse of splitBody, given each part's text in order. */
export function joinBody(segments: readonly string[], parts: readonly string[]): string {
  let text = segments[0] ?? ''
  for (let i = 0; i < parts.length; i++) text += (parts[i] ?? '') + (segments[i + 1] ?? '')
  return text
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d])

// [start, end) of top-level `system` and `tools` values and of each `messages` element.
function partRanges(text: string): Array<[number, number]> | undefined {
  const ranges: Array<[number, number]> = []
  let hasMessages = false
  let i = skipWs(text, 0)
  if (text.charCodeAt(i) !== 0x7b) return undefined
  i = skipWs(text, i + 1)
  if (text.charCodeAt(i) === 0x7d) return undefined
  for (;;) {
    if (text.charCodeAt(i) !== 0x22) return undefined
    const keyEnd = skipString(text, i)
    if (keyEnd < 0) return undefined
    const key = decodeKey(text.slice(i, keyEnd))
    i = skipWs(text, keyEnd)
    if (text.charCodeAt(i) !== 0x3a) return undefined
    const start = skipWs(text, i + 1)
    const end = skipValue(text, start)
    if (end < 0) return undefined
    if (key === 'system' || key === 'tools') ranges.push([start, end])
    else if (key === 'messages') {
      const elements = arrayElements(text, start, end)
      if (elements === undefined) return undefined
      hasMessages = true
      ranges.push(...elements)
    }
    i = skipWs(text, end)
    const c = text.charCodeAt(i)
    if (c === 0x7d) break
    if (c !== 0x2c) return undefined
    i = skipWs(text, i + 1)
  }
  if (skipWs(text, i + 1) !== text.length || !hasMessages) return undefined
  return ranges
}

function arrayElements(text: string, start: number, end: number) {
  if (text.charCodeAt(start) !== 0x5b) return undefined
  const out: Array<[number, number]> = []
  let i = skipWs(text, start + 1)
  if (text.charCodeAt(i) === 0x5d) return out
  while (i < end) {
    const e = skipValue(text, i)
    if (e < 0) return undefined
    out.push([i, e])
    i = skipWs(text, e)
    if (text.charCodeAt(i) === 0x5d) return out
    if (text.charCodeAt(i) !== 0x2c) return undefined
    i = skipWs(text, i + 1)
  }
  return undefined
}

function decodeKey(raw: string): string | undefined {
  if (!raw.includes('\\')) return raw.slice(1, -1)
  try {
    return JSON.parse(raw) as string
  } catch {
    return undefined
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text.charCodeAt(i))) i++
  return i
}

// The index after the closing quote of the string opening at i, or -1.
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j)
    if (c === 0x5c) j++
    else if (c === 0x22) return j + 1
  }
  return -1
}

// The index after the value starting at i, or -1. Containers are matched by counting
// brackets outside strings, without recursion (bodies can nest deep).
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i)
  if (c === 0x22) return skipString(text, i)
  if (c !== 0x7b && c !== 0x5b) {
    let j = i
    while (j < text.length && !/[\s,\]}]/.test(text[j] ?? '')) j++
    return j > i ? j : -1
  }
  let depth = 0
  for (let j = i; j < text.length; j++) {
    const d = text.charCodeAt(j)
    if (d === 0x22) {
      j = skipString(text, j) - 1
      if (j < 0) return -1
    } else if (d === 0x7b || d === 0x5b) depth++
    else if ((d === 0x7d || d === 0x5d) && --depth === 0) return j + 1
  }
  return -1
}
