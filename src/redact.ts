// Secrets never reach a log line or a stored row. One case-insensitive pass finds:
// Anthropic keys and OAuth tokens (sk-ant-api03-, sk-ant-admin01-, sk-ant-oat01-, sk-ant-ort01-…),
// our client keys (cnp_live_/cnp_test_), bearer tokens in any case, `name: value` / `name=value`
// / `"name":"value"` pairs whose name says key or token, and query parameters such as
// `?key=` and `&token=`. Each keeps its recognisable prefix, the secret part becomes [redacted].
const SECRET_PATTERN = new RegExp(
  [
    /(sk-ant-[a-z0-9]{2,12}-)[a-z0-9_-]{8,}/.source,
    /(cnp_(?:live|test)_)[a-z0-9_-]{8,}/.source,
    /(bearer\s+)[a-z0-9._~+/=-]{8,}/.source,
    // A JSON name's closing quote and the value's opening one may be escaped (JSON in JSON).
    /((?:x-api-key|x-dashboard-key|api[-_]?key|access[-_]?token|refresh[-_]?token|auth[-_]?token|id[-_]?token|client[-_]?secret)(?:\\?")?\s*[:=]\s*(?:\\?")?)[^\s"\\&,;]{8,}/
      .source,
    /([?&](?:key|token|access_token|auth|secret|signature|sig|password)=)[^&#\s"\\]+/.source,
  ].join('|'),
  'gi',
)

const MASK = '[redacted]'

function mask(_m: string, ...groups: unknown[]): string {
  for (let i = 0; i < 5; i++) if (typeof groups[i] === 'string') return `${groups[i]}${MASK}`
  return MASK
}

// Every JSON string literal, consumed left to right (linear, escaped quotes included).
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"/g

/** Masks secrets inside free text or JSON text, keeping their recognisable prefix. */
export function scrubSecrets(text: string): string {
  const plain = text.replace(SECRET_PATTERN, mask)
  // \uXXXX and \/ escapes can spell a key the plain pass cannot see (`sk\u002dant\u002d…`);
  // only literals holding one are decoded, scrubbed and, if that changed them, re-encoded.
  if (!plain.includes('\\u') && !plain.includes('\\/')) return plain
  return plain.replace(STRING_LITERAL, (literal) => {
    if (!literal.includes('\\u') && !literal.includes('\\/')) return literal
    const decoded = parseLiteral(literal)
    if (decoded === undefined) return literal
    const scrubbed = decoded.replace(SECRET_PATTERN, mask)
    return scrubbed === decoded ? literal : JSON.stringify(scrubbed)
  })
}

/** The secrets in `text` as written (the plain pass: what a re-serialised message holds). */
export function findSecrets(text: string): string[] {
  return text.match(SECRET_PATTERN) ?? []
}

function parseLiteral(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string
  } catch {
    return undefined
  }
}

// PostgreSQL's jsonb refuses the NUL character; an even run of backslashes before `\u0000`
// means the escape is real rather than an escaped backslash followed by "u0000".
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g

/** JSON text made safe for jsonb: secrets masked, NUL escapes removed. */
export function storableJson(text: string): string {
  const scrubbed = scrubSecrets(text)
  return scrubbed.includes('\\u0000') ? scrubbed.replace(NUL_ESCAPE, '$1') : scrubbed
}
