import { isRecord } from './records.ts'

/**
 * JSON with object keys sorted at every depth, so two bodies that differ only in key order
 * (different SDKs, re-serialised records) hash the same. Array order is meaningful and kept.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalItem).join(',')}]`
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

// JSON.stringify turns undefined array slots into null; keep that so positions never shift.
function canonicalItem(item: unknown): string {
  return item === undefined ? 'null' : canonicalJson(item)
}
