import type { Usage } from '../../anthropic-types.ts'
import { isRecord } from './json-shape.ts'

type RawUsage = Record<string, unknown>

const TYPED_FIELDS = new Set([
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'cache_creation',
  'server_tool_use',
  'service_tier',
])

/** The usage object of message_start, copied so later deltas never touch the event. */
export function startUsage(raw: unknown): RawUsage {
  return isRecord(raw) ? { ...raw } : {}
}

/**
 * Folds a message_delta's usage into the running usage. Every counter in a delta is a
 * cumulative total for the whole message, so a field present there replaces the earlier
 * value; adding would count message_start's tokens twice. Null means "not reported".
 */
export function combineUsage(current: RawUsage, delta: unknown): void {
  if (!isRecord(delta)) return
  for (const [key, value] of Object.entries(delta)) {
    if (value !== null && value !== undefined) current[key] = value
  }
}

/**
 * The running usage in the shape of `Usage`: counters the stream never reported read as 0,
 * and nulls of optional typed fields are left out. Fields this proxy does not interpret
 * (`inference_geo`, `output_tokens_details`…) are kept as upstream sent them.
 */
export function toUsage(raw: RawUsage): Usage {
  const usage: Usage = {
    input_tokens: count(raw['input_tokens']),
    output_tokens: count(raw['output_tokens']),
    cache_creation_input_tokens: count(raw['cache_creation_input_tokens']),
    cache_read_input_tokens: count(raw['cache_read_input_tokens']),
  }
  const cacheCreation = raw['cache_creation']
  if (isRecord(cacheCreation)) {
    usage.cache_creation = {
      ephemeral_5m_input_tokens: count(cacheCreation['ephemeral_5m_input_tokens']),
      ephemeral_1h_input_tokens: count(cacheCreation['ephemeral_1h_input_tokens']),
    }
  }
  const serverToolUse = raw['server_tool_use']
  if (isRecord(serverToolUse)) usage.server_tool_use = serverToolUse
  const serviceTier = raw['service_tier']
  if (typeof serviceTier === 'string') usage.service_tier = serviceTier
  const extras = Object.entries(raw).filter(([key]) => !TYPED_FIELDS.has(key))
  return Object.assign(usage, Object.fromEntries(extras))
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}
