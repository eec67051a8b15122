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
 * With `memo`, the part of the text that repeats a recent body (a continuing turn re-sends the
 * conversation) is neither scanned nor hashed again (body-prefix.ts).
 */
export function splitBody(text: string, memo?: SplitMemo): BodyParts | undefined {
  const prior = memo?.find(text)
  const scan = partRanges(text, prior)
  if (scan === undefined) return undefined
  const depth = prior ? jsonDepth(text, prior.at, 2) : jsonDepth(text)
  if (depth > MAX_STORED_JSON_DEPTH) return undefined
  const segments: string[] = []
  const parts: BodyParts['parts'] = []
  let from = 0
  for (const [start, end] of scan.ranges) {
    if (end - start < MIN_PART_CHARS) continue
    segments.push(text.slice(from, start))
    const part = text.slice(start, end)
    const known = prior !== undefined && end <= prior.at ? prior.hashes.get(start) : undefined
    parts.push({ hash: known ?? sha256Hex(part), text: part })
    from = end
  }
  segments.push(text.slice(from))
  const split = { segments, parts }
  memo?.remember(text, split, scan)
  return split
}

/** Where the scan of a text that repeats a remembered one can start (body-prefix.ts). */
export interface Resume {
  /** The start of a `messages` element; the text before it is the remembered text's. */
  at: number
  /** The remembered ranges before `at`, and the hashes of its parts by start. */
  ranges: Array<[number, number]>
  hashes: ReadonlyMap<number, string>
}

export interface Scan {
  ranges: Array<[number, number]>
  /** The start of each `messages` element. */
  elementStarts: number[]
}

export interface SplitMemo {
  find(text: string): Resume | undefined
  remember(text: string, split: BodyParts, scan: Scan): void
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

// [start, end) of top-level `system` and `tools` values and of each `messages` element, from
// the start or, resumed, from a `messages` element whose preceding ranges are known.
function partRanges(text: string, resume?: Resume): Scan | undefined {
  const ranges: Array<[number, number]> = resume ? resume.ranges.slice() : []
  const elementStarts: number[] = []
  let hasMessages = false
  let resumedEnd: number | undefined
  let i = skipWs(text, 0)
  if (resume) {
    resumedEnd = elementsFrom(text, resume.at, ranges, elementStarts)
    if (resumedEnd < 0) return undefined
    hasMessages = true
  } else {
    if (text.charCodeAt(i) !== 0x7b) return undefined
    i = skipWs(text, i + 1)
    if (text.charCodeAt(i) === 0x7d) return undefined
  }
  for (;;) {
    let end: number
    if (resumedEnd !== undefined) {
      end = resumedEnd
      resumedEnd = undefined
    } else {
      if (text.charCodeAt(i) !== 0x22) return undefined
      const keyEnd = skipString(text, i)
      if (keyEnd < 0) return undefined
      const key = decodeKey(text.slice(i, keyEnd))
      i = skipWs(text, keyEnd)
      if (text.charCodeAt(i) !== 0x3a) return undefined
      const start = skipWs(text, i + 1)
      end = skipValue(text, start)
      if (end < 0) return undefined
      if (key === 'system' || key === 'tools') ranges.push([start, end])
      else if (key === 'messages') {
        if (text.charCodeAt(start) !== 0x5b) return undefined
        const first = skipWs(text, start + 1)
        const close =
          text.charCodeAt(first) === 0x5d
            ? first + 1
            : elementsFrom(text, first, ranges, elementStarts)
        if (close !== end) return undefined
        hasMessages = true
      }
    }
    i = skipWs(text, end)
    const c = text.charCodeAt(i)
    if (c === 0x7d) break
    if (c !== 0x2c) return undefined
    i = skipWs(text, i + 1)
  }
  if (skipWs(text, i + 1) !== text.length || !hasMessages) return undefined
  return { ranges, elementStarts }
}

// The elements of an array from the start of one of them: pushed to `out`, and the index after
// the closing bracket returned (-1 when the text is not such an array).
function elementsFrom(text: string, i: number, out: Array<[number, number]>, starts: number[]) {
  while (i < text.length) {
    const e = skipValue(text, i)
    if (e < 0) return -1
    out.push([i, e])
    starts.push(i)
    i = skipWs(text, e)
    if (text.charCodeAt(i) === 0x5d) return i + 1
    if (text.charCodeAt(i) !== 0x2c) return -1
    i = skipWs(text, i + 1)
  }
  return -1
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
