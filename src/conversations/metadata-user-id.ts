import { isRecord, stringField } from './records.ts'

export interface ParsedUserId {
  /** Device id (JSON form) or user hash (legacy form); the raw value when neither parses. */
  userId?: string
  sessionId?: string
}

// Claude Code before 2.1.78: `user_<hash>_account_<uuid or empty>_session_<uuid>`.
const LEGACY = /^user_([^_]+)_account_([^_]*)_session_(.+)$/

/**
 * Reads Claude Code's `metadata.user_id`: since 2.1.78 a JSON string
 * `{"device_id","account_uuid","session_id"}`, before that the legacy underscore form.
 * Other clients put an opaque id there; it is kept as the user id.
 */
export function parseMetadataUserId(value: string): ParsedUserId {
  const raw = value.trim()
  if (raw === '') return {}
  return parseJsonForm(raw) ?? parseLegacyForm(raw) ?? { userId: raw }
}

function parseJsonForm(raw: string): ParsedUserId | undefined {
  if (!raw.startsWith('{')) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (!isRecord(parsed)) return undefined
  return present({
    userId: stringField(parsed, 'device_id'),
    sessionId: stringField(parsed, 'session_id'),
  })
}

function parseLegacyForm(raw: string): ParsedUserId | undefined {
  const match = LEGACY.exec(raw)
  if (match === null) return undefined
  return present({ userId: match[1], sessionId: match[3] })
}

function present(fields: {
  userId: string | undefined
  sessionId: string | undefined
}): ParsedUserId {
  const out: ParsedUserId = {}
  if (fields.userId) out.userId = fields.userId
  if (fields.sessionId) out.sessionId = fields.sessionId
  return out
}
