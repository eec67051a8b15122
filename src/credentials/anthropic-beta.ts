export const OAUTH_BETA = 'oauth-2025-04-20'

/**
 * The client's `anthropic-beta` values with `beta` added when absent. Values are a comma
 * separated list (and may arrive as repeated headers); order is kept, blanks and duplicates
 * are dropped, and names compare case-insensitively.
 */
export function mergeAnthropicBeta(existing: string | string[] | undefined, beta: string): string {
  const raw = Array.isArray(existing) ? existing.join(',') : (existing ?? '')
  const seen = new Set<string>()
  const values: string[] = []
  for (const value of [...raw.split(','), beta]) {
    const name = value.trim()
    if (name === '' || seen.has(name.toLowerCase())) continue
    seen.add(name.toLowerCase())
    values.push(name)
  }
  return values.join(',')
}
