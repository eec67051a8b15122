import { sha256Hex } from './digest.ts'
import { isRecord, stringField, type JsonRecord } from './records.ts'
import { stripSystemReminders } from './system-reminders.ts'

/** A content block reduced to what identifies it; see README.md for the rules. */
export interface NormalizedBlock {
  readonly type: string
  readonly [key: string]: unknown
}

// Caching hints, thinking signatures and citations are re-issued or moved between turns
// without changing what was said.
const IGNORED_KEYS = new Set(['cache_control', 'signature', 'citations'])

/** String content and block arrays normalise to the same list of blocks. */
export function normalizeContent(content: unknown): NormalizedBlock[] {
  if (typeof content === 'string') return compact([normalizeText(content)])
  if (!Array.isArray(content)) return []
  return compact(content.map(normalizeBlock))
}

export function normalizeBlock(block: unknown): NormalizedBlock | undefined {
  if (!isRecord(block)) return undefined
  const type = stringField(block, 'type')
  if (type === undefined) return undefined
  switch (type) {
    case 'text':
      return normalizeText(stringField(block, 'text') ?? '')
    case 'tool_use':
    case 'server_tool_use':
      return { type, id: block.id, name: block.name, input: block.input }
    case 'tool_result':
      return normalizeToolResult(block)
    default:
      return withoutIgnoredKeys(block, type)
  }
}

function normalizeText(raw: string): NormalizedBlock | undefined {
  // Trimmed because removing a reminder leaves the whitespace that separated it.
  const text = stripSystemReminders(raw).trim()
  return text === '' ? undefined : { type: 'text', text }
}

function normalizeToolResult(block: JsonRecord): NormalizedBlock {
  const content = normalizeContent(block.content)
  // Absent and false mean the same to the API.
  if (block.is_error === true) {
    return { type: 'tool_result', tool_use_id: block.tool_use_id, content, is_error: true }
  }
  return { type: 'tool_result', tool_use_id: block.tool_use_id, content }
}

function withoutIgnoredKeys(block: JsonRecord, type: string): NormalizedBlock {
  const out: Record<string, unknown> = { type }
  for (const [key, value] of Object.entries(block)) {
    if (key === 'type' || IGNORED_KEYS.has(key)) continue
    out[key] = key === 'source' ? digestSource(value) : value
  }
  return out as NormalizedBlock
}

// Images and documents are identified by a digest of their bytes: the hash input stays small
// and different bytes still give a different hash.
function digestSource(source: unknown): unknown {
  if (!isRecord(source) || typeof source.data !== 'string') return source
  const { data, ...rest } = source
  return { ...rest, data_sha256: sha256Hex(data) }
}

function compact(blocks: (NormalizedBlock | undefined)[]): NormalizedBlock[] {
  return blocks.filter((block): block is NormalizedBlock => block !== undefined)
}
