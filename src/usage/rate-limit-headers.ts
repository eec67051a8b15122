/**
 * Reads the rate-limit state upstream reports on every response, so the dashboard can show
 * the real window instead of one reconstructed from request times.
 *
 * Subscription (OAuth) accounts get `anthropic-ratelimit-unified-*`: an overall `status`
 * (allowed | allowed_warning | rejected), `reset` (Unix seconds), `representative-claim`
 * (the window that currently binds: five_hour, seven_day, seven_day_opus, seven_day_sonnet…)
 * and per window `-{5h|7d|7d_opus|7d_sonnet|overage}-{utilization|reset|status}`, where
 * utilization is the spent fraction 0..1. API keys get `anthropic-ratelimit-{requests|tokens|
 * input-tokens|output-tokens}-{limit|remaining|reset}` with RFC 3339 resets.
 */

export type HeaderSource =
  | Headers
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | readonly string[] | undefined>>

export interface UnifiedWindow {
  utilization: number | null
  resetAt: Date | null
  status: string | null
}

export interface UnifiedRateLimit {
  status: string | null
  resetAt: Date | null
  representativeClaim: string | null
  fallbackAvailable: boolean
  fallbackPercentage: number | null
  overageStatus: string | null
  overageResetAt: Date | null
  overageDisabledReason: string | null
  /** Keyed by the header's window name: `5h`, `7d`, `7d_opus`, `7d_sonnet`, `overage`… */
  windows: Record<string, UnifiedWindow>
}

export interface StandardLimit {
  limit: number | null
  remaining: number | null
  resetAt: Date | null
}

export interface RateLimitState {
  unified: UnifiedRateLimit | null
  requests: StandardLimit | null
  tokens: StandardLimit | null
  inputTokens: StandardLimit | null
  outputTokens: StandardLimit | null
  retryAfterSeconds: number | null
}

/** The window that binds right now, as upstream states it. */
export interface RateLimitWindow {
  status: string | null
  resetAt: Date | null
  /** The representative window's spent fraction 0..1, when upstream reported it. */
  utilization: number | null
  representativeClaim: string | null
  windowName: string | null
}

const UNIFIED = 'anthropic-ratelimit-unified-'
const CLAIM_WINDOWS: Record<string, string> = {
  five_hour: '5h',
  seven_day: '7d',
  seven_day_opus: '7d_opus',
  seven_day_sonnet: '7d_sonnet',
  overage: 'overage',
}

/**
 * The representative unified window, or null when the response carried no unified headers
 * (API-key traffic, or an upstream that strips them). Callers fall back to usage blocks.
 */
export function windowFromRateLimitHeaders(headers: HeaderSource): RateLimitWindow | null {
  const unified = parseRateLimitHeaders(headers).unified
  if (!unified) return null
  const claim = unified.representativeClaim
  const windowName =
    claim === null ? fullestWindow(unified.windows) : (CLAIM_WINDOWS[claim] ?? claim)
  const window = windowName === null ? undefined : unified.windows[windowName]
  return {
    status: unified.status ?? window?.status ?? null,
    resetAt: unified.resetAt ?? window?.resetAt ?? null,
    utilization: window?.utilization ?? null,
    representativeClaim: claim,
    windowName,
  }
}

// Without a claim, the window closest to its limit is the one that will bind first.
function fullestWindow(windows: Record<string, UnifiedWindow>): string | null {
  let best: string | null = null
  let bestUtilization = -1
  for (const [name, w] of Object.entries(windows)) {
    if (name === 'overage' || w.utilization === null) continue
    if (w.utilization > bestUtilization) [best, bestUtilization] = [name, w.utilization]
  }
  return best
}

export function parseRateLimitHeaders(headers: HeaderSource): RateLimitState {
  const h = normalize(headers)
  return {
    unified: parseUnified(h),
    requests: parseStandard(h, 'requests'),
    tokens: parseStandard(h, 'tokens'),
    inputTokens: parseStandard(h, 'input-tokens'),
    outputTokens: parseStandard(h, 'output-tokens'),
    retryAfterSeconds: toNumber(h.get('retry-after')),
  }
}

function parseUnified(h: Map<string, string>): UnifiedRateLimit | null {
  if (![...h.keys()].some((name) => name.startsWith(UNIFIED))) return null
  const get = (suffix: string) => h.get(UNIFIED + suffix) ?? null
  return {
    status: get('status'),
    resetAt: toDate(get('reset')),
    representativeClaim: get('representative-claim'),
    fallbackAvailable: get('fallback') === 'available',
    fallbackPercentage: toNumber(get('fallback-percentage')),
    overageStatus: get('overage-status'),
    overageResetAt: toDate(get('overage-reset')),
    overageDisabledReason: get('overage-disabled-reason'),
    windows: parseWindows(h),
  }
}

function parseWindows(h: Map<string, string>): Record<string, UnifiedWindow> {
  const windows: Record<string, UnifiedWindow> = {}
  const pattern = new RegExp(`^${UNIFIED}(.+)-(utilization|reset|status)$`)
  for (const [name, value] of h) {
    const match = pattern.exec(name)
    const windowName = match?.[1]
    if (!match || windowName === undefined) continue
    const w = (windows[windowName] ??= { utilization: null, resetAt: null, status: null })
    if (match[2] === 'utilization') w.utilization = toNumber(value)
    else if (match[2] === 'reset') w.resetAt = toDate(value)
    else w.status = value
  }
  return windows
}

function parseStandard(h: Map<string, string>, kind: string): StandardLimit | null {
  const prefix = `anthropic-ratelimit-${kind}-`
  const limit = h.get(`${prefix}limit`)
  const remaining = h.get(`${prefix}remaining`)
  const reset = h.get(`${prefix}reset`)
  if (limit === undefined && remaining === undefined && reset === undefined) return null
  return { limit: toNumber(limit), remaining: toNumber(remaining), resetAt: toDate(reset) }
}

function normalize(headers: HeaderSource): Map<string, string> {
  const out = new Map<string, string>()
  const put = (name: string, value: unknown) => {
    const text = Array.isArray(value) ? value.join(', ') : value
    if (typeof text === 'string') out.set(name.toLowerCase(), text.trim())
  }
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    headers.forEach((value, name) => put(name, value))
  } else if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<readonly [string, string]>) put(name, value)
  } else {
    for (const [name, value] of Object.entries(headers)) put(name, value)
  }
  return out
}

function toNumber(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

/** Unified resets are Unix seconds; standard ones RFC 3339. Either is accepted anywhere. */
function toDate(value: string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value)
    // Seconds until the year 5138; anything larger is already milliseconds.
    return new Date(n < 1e11 ? n * 1000 : n)
  }
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : new Date(ms)
}
