import { createHash } from 'node:crypto'
import type { Usage } from '../anthropic-types.ts'
import type { CostOf } from './request-cost.ts'
import { scrubSecrets } from '../redact.ts'
import { count } from './token-totals.ts'

/** One succeeded request of a Message Batch, as its results file reports it. */
export interface BatchResultUsage {
  batchId: string
  customId: string
  model: string | null
  usage: Partial<Usage>
}

const RESULTS_PATH = /^\/v1\/messages\/batches\/([A-Za-z0-9_-]{1,200})\/results\/?$/

/** The batch id when `method path` downloads a batch's results, else null. */
export function batchResultsId(method: string, path: string): string | null {
  if (method !== 'GET') return null
  return RESULTS_PATH.exec(path)?.[1] ?? null
}

/**
 * The succeeded results of a results file (JSONL, one `{custom_id, result}` per line).
 * Errored, canceled and expired requests are not billed, so they are skipped; so are lines
 * that do not parse (a download cut short ends mid-line). The first line of a custom_id
 * wins: the file has one per request.
 */
export function parseBatchResults(batchId: string, jsonl: string): BatchResultUsage[] {
  const seen = new Set<string>()
  const results: BatchResultUsage[] = []
  for (const line of jsonl.split('\n')) {
    const item = parseLine(line)
    if (!item || seen.has(item.customId)) continue
    seen.add(item.customId)
    results.push({ batchId, ...item })
  }
  return results
}

function parseLine(line: string): Omit<BatchResultUsage, 'batchId'> | null {
  if (line.trim() === '') return null
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return null
  }
  const entry = parsed as { custom_id?: unknown; result?: { type?: unknown; message?: unknown } }
  const message = entry.result?.message as { model?: unknown; usage?: unknown } | undefined
  if (typeof entry.custom_id !== 'string' || entry.result?.type !== 'succeeded') return null
  if (typeof message?.usage !== 'object' || message.usage === null) return null
  return {
    customId: storableCustomId(entry.custom_id),
    model: typeof message.model === 'string' ? message.model : null,
    usage: message.usage as Partial<Usage>,
  }
}

/**
 * A custom_id as it may be kept (record, spool, database): a secret inside it is masked, and a
 * short digest of the original keeps two ids that differ only in their secret apart.
 */
export function storableCustomId(customId: string): string {
  const scrubbed = scrubSecrets(customId)
  if (scrubbed === customId) return customId
  return `${scrubbed}#${createHash('sha256').update(customId).digest('hex').slice(0, 12)}`
}

/**
 * The token_usage id a batch result is counted under: a UUID derived from the batch and
 * custom id, so every download of the same result names the same row.
 */
export function batchUsageRequestId(batchId: string, customId: string): string {
  const h = createHash('sha256').update(`batch\0${batchId}\0${customId}`).digest('hex')
  // Version 8 (custom) and the RFC 9562 variant, so it is a well-formed UUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16] ?? '0', 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** A batch result as the writer stores it: what token_usage needs, priced as batch. */
export interface BatchResultRecord {
  batchId: string
  customId: string
  model: string | null
  inputTokens: number
  outputTokens: number
  cacheCreationInputTokens: number
  cacheCreation5mTokens: number
  cacheCreation1hTokens: number
  cacheReadInputTokens: number
  webSearchRequests: number
  /** Null when the model is unpriced. */
  costUsd: number | null
  pricingMode: string
}

/** Every succeeded result of a results file, priced at the batch multiplier. */
export function batchResultRecords(
  batchId: string,
  jsonl: string,
  costOf: CostOf,
): BatchResultRecord[] {
  return parseBatchResults(batchId, jsonl).map((r) => {
    const cost = costOf(r.model, r.usage, { batch: true })
    return {
      batchId,
      customId: r.customId,
      model: r.model,
      inputTokens: count(r.usage.input_tokens),
      outputTokens: count(r.usage.output_tokens),
      cacheCreationInputTokens: count(r.usage.cache_creation_input_tokens),
      cacheReadInputTokens: count(r.usage.cache_read_input_tokens),
      ...cost,
    }
  })
}
