import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { linkFactsOf, LINK_FACTS_VERSION } from '../conversations/link-facts.ts'
import { deriveRequestFacts } from './derive-facts.ts'
import { newExchange } from './exchange.ts'
import { recordExchange } from './record-exchange.ts'

const SECRET = 'sk-ant-api03-' + 'A'.repeat(40)

function exchangeWith(body: unknown) {
  const ex = newExchange('0b6c2f8e-1d3a-4c55-9e7a-2f4b8d9c0a11', 0, 'POST', '/v1/messages', {
    host: 'example.test',
  })
  ex.requestBody = Buffer.from(JSON.stringify(body))
  ex.status = 200
  ex.responseHeaders = { 'content-type': 'application/json' }
  ex.chunks = [{ bytes: Buffer.from('{"type":"message","content":[]}'), atMs: 1 }]
  ex.end = 'done'
  return ex
}

describe('recordExchange link facts', () => {
  it('derives them from the body as stored, so a rebuild reading it back agrees', () => {
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
      messages: [{ role: 'user', content: `my key is ${SECRET}, why is it refused?` }],
    }
    const record = recordExchange(exchangeWith(body), deriveRequestFacts, false)

    assert.equal(record.bodyJson?.includes(SECRET), false)
    assert.equal(record.linkFactsVersion, LINK_FACTS_VERSION)
    assert.deepEqual(record.linkFacts, linkFactsOf(JSON.parse(record.bodyJson!)))
    assert.notEqual(record.linkFacts?.currentHash, linkFactsOf(body)?.currentHash)
  })

  it('leaves them out for requests that are not linked', () => {
    const body = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }
    const ex = exchangeWith(body)
    ex.path = '/v1/messages/count_tokens'
    const record = recordExchange(ex, deriveRequestFacts, false)

    assert.equal(record.requestType, 'count_tokens')
    assert.equal(record.linkFactsVersion, null)
    assert.equal(record.linkFacts, null)
  })
})
