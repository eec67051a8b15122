/** Deepest nesting stored as jsonb; PGlite aborts (and PostgreSQL refuses) far deeper input. */
export const MAX_STORED_JSON_DEPTH = 256

/**
 * Nesting depth of JSON text, counting `[` and `{` outside strings. A linear scan with no
 * recursion, so it is safe on exactly the inputs it exists to catch. From `from` (outside a
 * string, at `depthAtFrom`) when the text before it is known.
 */
export function jsonDepth(text: string, from = 0, depthAtFrom = 0): number {
  let depth = depthAtFrom
  let max = depth
  let inString = false
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: the next character is escaped
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth)
    else if (c === 0x5d || c === 0x7d) depth--
  }
  return max
}

/**
 * JSON text as it goes into a jsonb column: unchanged when its nesting is within the bound,
 * else the text itself as one JSON string, so the bytes are kept and nothing deep reaches the
 * database. A stored body whose jsonb type is `string` is such a body (requests and responses
 * are otherwise objects).
 */
export function boundedJson(text: string | null, maxDepth = MAX_STORED_JSON_DEPTH) {
  if (text === null || jsonDepth(text) <= maxDepth) return text
  return JSON.stringify(text)
}
