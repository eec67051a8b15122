// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { mergeAnthropicBeta } from './anthropic-beta.ts'

const OAUTH = 'oauth-2025-04-20'

describe('mergeAnthropicBeta', () => {
  it('sets the flag when the client sent none', () => {
    assert.equal(mergeAnthropicBeta(undefined, OAUTH), 'oauth-2025-04-20')
    assert.equal(mergeAnthropicBeta('', OAUTH), 'oauth-2025-04-20')
  })

  it('appends to the client values, keeping their order', () => {
    assert.equal(
      mergeAnthropicBeta('claude-code-20250219,interleaved-thinking-2025-05-14', OAUTH),
      'claude-code-20250219,interleaved-thinking-2025-05-14,oauth-2025-04-20',
    )
  })

  it('does not duplicate a flag already present', () => {
    assert.equal(
      mergeAnthropicBeta('oauth-2025-04-20,claude-code-20250219', OAUTH),
      'oauth-2025-04-20,claude-code-20250219',
    )
    assert.equal(mergeAnthropicBeta(' OAUTH-2025-04-20 ', OAUTH), 'OAUTH-2025-04-20')
  })

  it('joins repeated headers and drops blanks and duplicates', () => {
    assert.equal(
      mergeAnthropicBeta(['a-1, b-2', 'a-1,,', 'oauth-2025-04-20'], OAUTH),
      'a-1,b-2,oauth-2025-04-20',
    )
  })
})
