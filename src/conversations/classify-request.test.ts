// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { classifyRequest } from './classify-request.ts'
import { fixtures, type SideCallName } from './fixtures/index.ts'

function classifyMessages(body: unknown): string {
  return classifyRequest({ method: 'POST', path: '/v1/messages?beta=true', body })
}

function classifySideCall(name: SideCallName): string {
  return classifyMessages(fixtures.sideCall(name))
}

describe('classifyRequest', () => {
  it('classifies token counting by path', () => {
    const body = fixtures.mainTurn1()
    assert.equal(
      classifyRequest({ method: 'POST', path: '/v1/messages/count_tokens?beta=true', body }),
      'count_tokens',
    )
  })

  it('classifies other endpoints as internal', () => {
    assert.equal(
      classifyRequest({ method: 'GET', path: '/v1/models', body: undefined }),
      'internal',
    )
    assert.equal(
      classifyRequest({ method: 'POST', path: '/v1/messages/batches', body: {} }),
      'internal',
    )
    assert.equal(classifyRequest({ method: 'POST', path: '/v1/files', body: null }), 'internal')
    assert.equal(
      classifyRequest({ method: 'GET', path: '/v1/messages', body: undefined }),
      'internal',
    )
  })

  it('classifies Claude Code main-loop and sub-agent turns as inference', () => {
    assert.equal(classifyMessages(fixtures.mainTurn1()), 'inference')
    assert.equal(classifyMessages(fixtures.mainTurn2()), 'inference')
    assert.equal(classifyMessages(fixtures.subagentTurn1()), 'inference')
    assert.equal(classifyMessages(fixtures.compactedCurrent()), 'inference')
  })

  it('classifies a plain API client with one system prompt as inference', () => {
    assert.equal(classifySideCall('plainApiClient'), 'inference')
  })

  it('keeps the compaction call itself as inference', () => {
    assert.equal(classifySideCall('compactionCall'), 'inference')
  })

  it('classifies a messages call without messages as inference', () => {
    assert.equal(classifyMessages({ model: 'claude-opus-4-6' }), 'inference')
    assert.equal(classifyMessages('not json'), 'inference')
  })

  it('recognises the one-token quota probe', () => {
    assert.equal(classifySideCall('quotaProbe'), 'quota')
    const probe = {
      max_tokens: 1,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'test' }] }],
    }
    assert.equal(classifyMessages(probe), 'quota')
  })

  it('does not mistake a user typing "quota" for the probe', () => {
    const body = { max_tokens: 32000, messages: [{ role: 'user', content: 'quota' }] }
    assert.equal(classifyMessages(body), 'inference')
  })

  it('classifies title, topic and summary side calls as internal', () => {
    assert.equal(classifySideCall('sessionTitle'), 'internal')
    assert.equal(classifySideCall('topicDetection'), 'internal')
    assert.equal(classifySideCall('conversationTitle'), 'internal')
    assert.equal(classifySideCall('webFetch'), 'internal')
  })

  it('classifies warm-ups and prompt suggestions as internal even with tools', () => {
    assert.equal(classifySideCall('warmup'), 'internal')
    assert.equal(classifySideCall('promptSuggestion'), 'internal')
  })

  it('classifies command and hook checks as query_evaluation', () => {
    assert.equal(classifySideCall('commandPrefix'), 'query_evaluation')
    assert.equal(classifySideCall('filePaths'), 'query_evaluation')
    assert.equal(classifySideCall('hookCondition'), 'query_evaluation')
  })

  it('does not treat a main-loop turn that quotes a side-call prompt as a side call', () => {
    const body = fixtures.mainTurn1()
    body.messages = [
      { role: 'user', content: 'Why does the prompt say "Extract the command prefix"?' },
    ]
    assert.equal(classifyMessages(body), 'inference')
  })
})
