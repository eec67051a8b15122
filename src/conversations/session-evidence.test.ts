// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fixtures } from './fixtures/index.ts'
import { parseMetadataUserId } from './metadata-user-id.ts'
import { extractSessionEvidence } from './session-evidence.ts'

describe('parseMetadataUserId', () => {
  it('reads the JSON form of Claude Code ≥ 2.1.78', () => {
    const raw =
      '{"device_id":"4be1c0a3","account_uuid":"","session_id":"0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b"}'
    assert.deepEqual(parseMetadataUserId(raw), {
      userId: '4be1c0a3',
      sessionId: '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b',
    })
  })

  it('reads the legacy form, with or without an account', () => {
    assert.deepEqual(
      parseMetadataUserId(
        'user_36b51f28e4f0_account__session_7f5456e6-220f-43d7-ba40-975559967185',
      ),
      { userId: '36b51f28e4f0', sessionId: '7f5456e6-220f-43d7-ba40-975559967185' },
    )
    assert.deepEqual(
      parseMetadataUserId(
        'user_36b51f28e4f0_account_8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d_session_7f5456e6-220f-43d7-ba40-975559967185',
      ),
      { userId: '36b51f28e4f0', sessionId: '7f5456e6-220f-43d7-ba40-975559967185' },
    )
  })

  it('keeps an opaque id from other clients as the user id', () => {
    assert.deepEqual(parseMetadataUserId('customer-42'), { userId: 'customer-42' })
    assert.deepEqual(parseMetadataUserId('{not json'), { userId: '{not json' })
    assert.deepEqual(parseMetadataUserId('  '), {})
  })
})

describe('extractSessionEvidence', () => {
  it('reads session and user from a main-loop request', () => {
    const headers = {
      'X-Claude-Code-Session-Id': '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b',
      'user-agent': 'claude-cli/2.1.80',
    }
    assert.deepEqual(extractSessionEvidence(headers, fixtures.mainTurn1()), {
      sessionId: '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b',
      userId: '4be1c0a3d2f85e6b7a9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a',
    })
  })

  it('adds the agent id of a sub-agent request', () => {
    const headers = {
      'x-claude-code-session-id': '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b',
      'x-claude-code-agent-id': 'a3f9c21',
    }
    assert.deepEqual(extractSessionEvidence(headers, fixtures.subagentTurn1()), {
      sessionId: '0b6a3f1e-2c4d-4e8f-9a1b-7c5d3e2f1a0b',
      agentId: 'a3f9c21',
      userId: '4be1c0a3d2f85e6b7a9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a',
    })
  })

  it('falls back to the session in a legacy metadata.user_id', () => {
    assert.deepEqual(extractSessionEvidence({}, fixtures.sideCall('quotaProbe')), {
      sessionId: '7f5456e6-220f-43d7-ba40-975559967185',
      userId: '36b51f28e4f0a812cf7c551a3af24cd6751752adc5c5784a6eb2246b8961c913',
    })
  })

  it('prefers the header when both name a session', () => {
    const evidence = extractSessionEvidence(
      { 'x-claude-code-session-id': 'from-header' },
      fixtures.sideCall('quotaProbe'),
    )
    assert.equal(evidence.sessionId, 'from-header')
  })

  it('is empty for a request without any evidence', () => {
    assert.deepEqual(
      extractSessionEvidence({ 'x-claude-code-session-id': undefined }, { messages: [] }),
      {},
    )
    assert.deepEqual(extractSessionEvidence({}, 'not json'), {})
  })
})
