import { lastBlockFromHours } from '../../usage/hourly-blocks.ts'
import { windowFromRateLimitHeaders } from '../../usage/rate-limit-headers.ts'
import { burnRate, projection, type UsageBlock } from '../../usage/usage-blocks.ts'
import { sumsBy, sumsOf } from '../../usage/usage-sums.ts'
import type { ActiveHour, RateLimitRow, RollupRow } from '../queries/rollup-queries.ts'
import type { GroupTotal, WindowView } from './usage-views.tsx'

const BLOCK_MS = 5 * 60 * 60 * 1000

export function totalsBy(rows: readonly RollupRow[], key: (r: RollupRow) => string): GroupTotal[] {
  return sumsBy(rows, key)
    .map((g) => ({ key: g.key, sums: g.sums }))
    .sort((a, b) => b.sums.tokens.total - a.sums.tokens.total || a.key.localeCompare(b.key))
}

/**
 * The current 5-hour window of every account active in it, from hourly rollup rows grouped
 * by account and hour (the usage engineer's block rules, src/usage/hourly-blocks.ts), with
 * upstream's own utilisation and reset time when its rate-limit headers reported them.
 */
export function currentWindows(input: {
  /** The hours each account was active in, reaching back far enough for the block chain. */
  hours: readonly ActiveHour[]
  /** Rows by account, hour and domain of the last five hours: what each window holds. */
  blockDomains: readonly RollupRow[]
  rateLimits: readonly RateLimitRow[]
  now: Date
}): WindowView[] {
  const { now } = input
  const byAccount = new Map<string, Date[]>()
  for (const h of input.hours) {
    const list = byAccount.get(h.account_id)
    if (list) list.push(h.at)
    else byAccount.set(h.account_id, [h.at])
  }
  const limits = new Map(input.rateLimits.map((l) => [l.account_id, l]))
  const out: WindowView[] = []
  for (const [accountId, hours] of [...byAccount.entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const span = lastBlockFromHours(hours, now)
    if (!span?.isActive) continue
    // An active block started less than five hours ago, so its rows are all in blockDomains.
    const inBlock = input.blockDomains.filter(
      (r) => (r.account_id ?? '') === accountId && r.at && r.at >= span.start && r.at < span.end,
    )
    const sums = sumsOf(inBlock)
    const block: UsageBlock = {
      start: span.start,
      end: span.end,
      firstAt: new Date(Math.min(...inBlock.map((r) => r.first_at.getTime()))),
      actualEnd: new Date(Math.max(...inBlock.map((r) => r.last_at.getTime()))),
      isActive: true,
      tokens: { ...sums.tokens },
      costUsd: sums.costUsd,
      requests: sums.requests,
      unpricedRequests: sums.unpricedRequests,
      models: [],
    }
    const rate = burnRate(block, now)
    const projected = projection(block, now)
    const reported = limits.get(accountId)
    const upstream = reported ? windowFromRateLimitHeaders(reported.headers) : null
    const fresh = upstream?.resetAt && upstream.resetAt > now && upstream.windowName === '5h'
    out.push({
      accountId,
      domains: [...new Set(inBlock.map((r) => r.domain ?? ''))].sort(),
      start: span.start,
      end: span.end,
      elapsed: Math.min(1, (now.getTime() - span.start.getTime()) / BLOCK_MS),
      utilization: fresh ? (upstream.utilization ?? null) : null,
      resetAt: fresh && upstream.resetAt ? upstream.resetAt : span.end,
      source: fresh ? 'rate_limit_headers' : 'usage_blocks',
      sums,
      projectedTokens: projected?.tokens ?? null,
      projectedCostUsd: projected?.costUsd ?? null,
      tokensPerMinute: rate?.tokensPerMinute ?? null,
    })
  }
  return out
}
