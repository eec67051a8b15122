// Anthropic keys, our client keys and bearer tokens never reach a log line or a stored row.
const SECRET_PATTERN =
  /(sk-ant-[A-Za-z0-9]{2,6}-)[A-Za-z0-9_-]{8,}|(cnp_(?:live|test)_)[A-Za-z0-9]{8,}|(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g

/** Masks secrets inside free text, keeping their recognisable prefix. */
export function scrubSecrets(text: string): string {
  if (!text.includes('sk-ant-') && !text.includes('cnp_') && !text.includes('Bearer')) return text
  return text.replace(SECRET_PATTERN, (_m, ant, cnp, bearer) => `${ant ?? cnp ?? bearer}[redacted]`)
}

// PostgreSQL's jsonb refuses the NUL character; an even run of backslashes before `\u0000`
// means the escape is real rather than an escaped backslash followed by "u0000".
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g

/** JSON text made safe for jsonb: secrets masked, NUL escapes removed. */
export function storableJson(text: string): string {
  const scrubbed = scrubSecrets(text)
  return scrubbed.includes('\\u0000') ? scrubbed.replace(NUL_ESCAPE, '$1') : scrubbed
}
