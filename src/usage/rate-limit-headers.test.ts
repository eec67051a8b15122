// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseRateLimitHeaders, windowFromRateLimitHeaders } from './rate-limit-headers.ts'

// As a subscription (OAuth) response carries them. 1795608000 = 2026-11-25T12:00:00Z,
// 1795996800 = 2026-11-30T00:00:00Z.
const subscription = {
  'anthropic-ratelimit-unified-status': 'allowed_warning',
  'anthropic-ratelimit-unified-reset': '1795608000',
  'anthropic-ratelimit-unified-representative-claim': 'five_hour',
  'anthropic-ratelimit-unified-fallback': 'available',
  'anthropic-ratelimit-unified-fallback-percentage': '0.5',
  'anthropic-ratelimit-unified-overage-status': 'rejected',
  'anthropic-ratelimit-unified-overage-disabled-reason': 'org_level_disabled',
  'anthropic-ratelimit-unified-5h-status': 'allowed_warning',
  'anthropic-ratelimit-unified-5h-reset': '1795608000',
  'anthropic-ratelimit-unified-5h-utilization': '0.92',
  'anthropic-ratelimit-unified-7d-status': 'allowed',
  'anthropic-ratelimit-unified-7d-reset': '1795996800',
  'anthropic-ratelimit-unified-7d-utilization': '0.31',
  'content-type': 'application/json',
}

describe('windowFromRateLimitHeaders', () => {
  test('the representative window with its utilization', () => {
    assert.deepEqual(windowFromRateLimitHeaders(subscription), {
      status: 'allowed_warning',
      resetAt: new Date('2026-11-25T12:00:00Z'),
      utilization: 0.92,
      representativeClaim: 'five_hour',
      windowName: '5h',
    })
  })

  test('a weekly claim points at the 7-day window', () => {
    const weekly = {
      ...subscription,
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': '1795996800',
      'anthropic-ratelimit-unified-representative-claim': 'seven_day',
    }
    assert.deepEqual(windowFromRateLimitHeaders(weekly), {
      status: 'rejected',
      resetAt: new Date('2026-11-30T00:00:00Z'),
      utilization: 0.31,
      representativeClaim: 'seven_day',
      windowName: '7d',
    })
  })

  test('without a claim, the fullest window; its reset when no overall reset', () => {
    const headers = {
      'anthropic-ratelimit-unified-status': 'allowed',
      'anthropic-ratelimit-unified-5h-utilization': '0.42',
      'anthropic-ratelimit-unified-5h-reset': '2026-11-25T09:13:32Z',
      'anthropic-ratelimit-unified-7d-utilization': '0.3',
    }
    assert.deepEqual(windowFromRateLimitHeaders(headers), {
      status: 'allowed',
      resetAt: new Date('2026-11-25T09:13:32Z'),
      utilization: 0.42,
      representativeClaim: null,
      windowName: '5h',
    })
  })

  test('reads a fetch Headers object, case-insensitively', () => {
    const h = new Headers({
      'Anthropic-RateLimit-Unified-Status': 'allowed',
      'Anthropic-RateLimit-Unified-Reset': '1795608000',
      'Anthropic-RateLimit-Unified-Representative-Claim': 'five_hour',
      'Anthropic-RateLimit-Unified-5h-Utilization': '0.05',
    })
    assert.deepEqual(windowFromRateLimitHeaders(h), {
      status: 'allowed',
      resetAt: new Date('2026-11-25T12:00:00Z'),
      utilization: 0.05,
      representativeClaim: 'five_hour',
      windowName: '5h',
    })
  })

  test('null when upstream sent no unified headers (API-key traffic)', () => {
    assert.equal(windowFromRateLimitHeaders({ 'anthropic-ratelimit-requests-limit': '50' }), null)
    assert.equal(windowFromRateLimitHeaders([]), null)
  })
})

describe('parseRateLimitHeaders', () => {
  test('the whole unified state', () => {
    assert.deepEqual(parseRateLimitHeaders(subscription).unified, {
      status: 'allowed_warning',
      resetAt: new Date('2026-11-25T12:00:00Z'),
      representativeClaim: 'five_hour',
      fallbackAvailable: true,
      fallbackPercentage: 0.5,
      overageStatus: 'rejected',
      overageResetAt: null,
      overageDisabledReason: 'org_level_disabled',
      windows: {
        '5h': {
          utilization: 0.92,
          resetAt: new Date('2026-11-25T12:00:00Z'),
          status: 'allowed_warning',
        },
        '7d': { utilization: 0.31, resetAt: new Date('2026-11-30T00:00:00Z'), status: 'allowed' },
        // Extra usage reports through the same per-window headers.
        overage: { utilization: null, resetAt: null, status: 'rejected' },
      },
    })
  })

  test('standard API-key limits, as header pairs', () => {
    const state = parseRateLimitHeaders([
      ['anthropic-ratelimit-requests-limit', '4000'],
      ['anthropic-ratelimit-requests-remaining', '3999'],
      ['anthropic-ratelimit-requests-reset', '2026-11-25T10:30:00Z'],
      ['anthropic-ratelimit-tokens-limit', '2000000'],
      ['anthropic-ratelimit-tokens-remaining', '1995000'],
      ['anthropic-ratelimit-tokens-reset', '2026-11-25T10:30:05Z'],
      ['anthropic-ratelimit-input-tokens-limit', '2000000'],
      ['anthropic-ratelimit-input-tokens-remaining', '1999000'],
      ['anthropic-ratelimit-input-tokens-reset', '2026-11-25T10:30:01Z'],
      ['anthropic-ratelimit-output-tokens-limit', '400000'],
      ['anthropic-ratelimit-output-tokens-remaining', '396000'],
      ['anthropic-ratelimit-output-tokens-reset', '2026-11-25T10:30:09Z'],
      ['retry-after', '17'],
    ])
    assert.deepEqual(state, {
      unified: null,
      requests: { limit: 4000, remaining: 3999, resetAt: new Date('2026-11-25T10:30:00Z') },
      tokens: { limit: 2_000_000, remaining: 1_995_000, resetAt: new Date('2026-11-25T10:30:05Z') },
      inputTokens: {
        limit: 2_000_000,
        remaining: 1_999_000,
        resetAt: new Date('2026-11-25T10:30:01Z'),
      },
      outputTokens: {
        limit: 400_000,
        remaining: 396_000,
        resetAt: new Date('2026-11-25T10:30:09Z'),
      },
      retryAfterSeconds: 17,
    })
  })

  test('missing or garbled values become null, not NaN', () => {
    const state = parseRateLimitHeaders({
      'anthropic-ratelimit-requests-limit': 'lots',
      'anthropic-ratelimit-requests-reset': 'soon',
      'anthropic-ratelimit-unified-5h-utilization': '',
      'anthropic-ratelimit-tokens-remaining': ['1000'],
    })
    assert.deepEqual(state.requests, { limit: null, remaining: null, resetAt: null })
    assert.deepEqual(state.tokens, { limit: null, remaining: 1000, resetAt: null })
    assert.deepEqual(state.unified?.windows, {
      '5h': { utilization: null, resetAt: null, status: null },
    })
    assert.equal(state.retryAfterSeconds, null)
  })
})
