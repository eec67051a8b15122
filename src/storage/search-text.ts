import { isRecord } from '../conversations/records.ts'
import { scrubSecrets } from '../redact.ts'

// The same cap as nexus_search_text() in src/dashboard/migrations/030_dashboard_indexes.sql.
const SEARCH_TEXT_LIMIT = 8000

/**
 * What the dashboard's full-text search indexes for one request: the text of the last
 * message, the answer's text blocks and the error, as nexus_search_text() computes it in SQL.
 * Built here from the already parsed bodies so the database does not decompress and walk
 * every stored body again in a trigger; rows inserted any other way still get theirs there.
 */
export function searchTextOf(body: unknown, responseContent: unknown, error: string | null) {
  const messages = isRecord(body) && Array.isArray(body.messages) ? body.messages : []
  const last: unknown = messages.at(-1)
  const lastContent = isRecord(last) ? last.content : undefined
  const parts = [
    typeof lastContent === 'string' ? lastContent : textsOf(lastContent),
    textsOf(responseContent),
    error,
  ].filter((part): part is string => part !== null)
  // Masked like the stored bodies; NUL cannot be stored in PostgreSQL text.
  return cut(scrubSecrets(parts.join(' ')).replaceAll('\u0000', ''), SEARCH_TEXT_LIMIT)
}

// Never between the two halves of a surrogate pair: a lone half is refused by jsonb, and
// would take the whole batch's insert with it.
function cut(text: string, limit: number): string {
  if (text.length <= limit) return text
  const last = text.charCodeAt(limit - 1)
  return copied(text.slice(0, last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit))
}

// V8 makes a slice a view that keeps the whole text alive: the 8 KB search text of a 1 MB
// pasted turn would hold that megabyte for as long as its record waits to be stored. A JSON
// round trip is the cheapest way to get a string of its own.
function copied(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string
}

// string_agg over the text blocks: null when there are none, as in SQL.
function textsOf(content: unknown): string | null {
  if (!Array.isArray(content)) return null
  const texts = content.flatMap((block) =>
    isRecord(block) && block.type === 'text' && block.text != null ? [jsonText(block.text)] : [],
  )
  return texts.length === 0 ? null : texts.join(' ')
}

// `->>` gives a string as itself and any other JSON value as its JSON text.
function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}
