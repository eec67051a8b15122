import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import Anthropic from '@anthropic-ai/sdk'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import {
  startProxy,
  testKey,
  waitForRow,
  type ProxyHarness,
} from '../../test-support/proxy-harness.ts'
import { sseForMessage, textMessage } from '../../test-support/mock-anthropic.ts'

describeEachDatabase('proxy with the official SDK', ({ db }) => {
  let h: ProxyHarness
  let key: string
  let client: Anthropic
  before(async () => {
    h = await startProxy(db())
    key = testKey()
    client = new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 })
  })
  after(() => h.close())

  test('a JSON message passes through unchanged and is stored', async () => {
    const sent = textMessage('claude-sonnet-4-5-20250929', 'Bonjour, ça va ? 👋', {
      input_tokens: 21,
      output_tokens: 9,
      cache_read_input_tokens: 1000,
    })
    h.mock.handler = () => ({
      kind: 'json',
      body: sent,
      headers: { 'retry-after': '0', 'anthropic-ratelimit-tokens-remaining': '12345' },
    })
    const { data, response } = await client.messages
      .create(
        {
          model: 'claude-sonnet-4-5-20250929',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'Salut' }],
        },
        {
          headers: {
            'anthropic-beta': 'prompt-caching-2024-07-31,interleaved-thinking-2025-05-14',
          },
        },
      )
      .withResponse()
    assert.deepEqual(data, sent)
    assert.equal(response.headers.get('anthropic-ratelimit-tokens-remaining'), '12345')
    assert.match(response.headers.get('request-id') ?? '', /^req_mock_/)
    const upstream = h.mock.received.at(-1)!
    // Today's SDK authenticates with a bearer header; pass-through keeps it as sent.
    assert.equal(upstream.headers['authorization'], `Bearer ${key}`)
    assert.equal(
      upstream.headers['anthropic-beta'],
      'prompt-caching-2024-07-31,interleaved-thinking-2025-05-14',
    )

    const id = response.headers.get('x-request-id')!
    const row = await waitForRow(db(), id)
    const stored = row.request_headers as Record<string, string>
    assert.equal(upstream.headers['anthropic-version'], stored['anthropic-version'])
    assert.equal(upstream.headers['user-agent'], stored['user-agent'])
    assert.equal(row.status_code, 200)
    assert.equal(row.model, 'claude-sonnet-4-5-20250929')
    assert.equal(row.input_tokens, 21)
    assert.equal(row.output_tokens, 9)
    assert.equal(row.cache_read_input_tokens, 1000)
    assert.equal(row.is_streaming, false)
    assert.equal(row.stream_end, 'done')
    assert.equal(row.message_count, 1)
    assert.deepEqual(row.response_body, sent)
    assert.deepEqual((row.body as { messages: unknown }).messages, [
      { role: 'user', content: 'Salut' },
    ])
    assert.equal(stored['authorization'], '[redacted]')
    assert.ok(!JSON.stringify(row).includes(key), 'the client key is stored nowhere')
    assert.match(row.account_id ?? '', /^acct_[0-9a-f]{16}$/)
  })

  test('a key pasted into a message never reaches the database', async () => {
    h.mock.handler = undefined
    const { response } = await client.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'my key is sk-ant-api03-PASTEDpastedPASTED0123' }],
      })
      .withResponse()
    const row = await waitForRow(db(), response.headers.get('x-request-id')!)
    assert.deepEqual((row.body as { messages: unknown }).messages, [
      { role: 'user', content: 'my key is sk-ant-api03-[redacted]' },
    ])
    assert.equal(
      h.mock.received.at(-1)!.body.toString().includes('sk-ant-api03-PASTEDpastedPASTED0123'),
      true,
    )
  })

  test('request bytes and the query string reach upstream untouched', async () => {
    h.mock.handler = undefined
    const raw =
      '{"model":"claude-haiku-4-5",  "max_tokens":5,\n"messages":[{"role":"user","content":"hi"}]}'
    const res = await fetch(`${h.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': key,
        'anthropic-version': '2023-06-01',
      },
      body: raw,
    })
    assert.equal(res.status, 200)
    const upstream = h.mock.received.at(-1)!
    assert.equal(upstream.url, '/v1/messages?beta=true')
    assert.equal(upstream.body.toString('utf8'), raw)
    const row = await waitForRow(db(), res.headers.get('x-request-id')!)
    assert.equal(row.query, 'beta=true')
  })

  test('a stream reaches the client byte for byte and is rebuilt for storage', async () => {
    const message = textMessage('claude-opus-4-1-20250805', 'Ünïcödé stream 🚀 done', {
      input_tokens: 30,
      output_tokens: 12,
    })
    const stream = Buffer.from(sseForMessage(message))
    const emoji = stream.indexOf(Buffer.from('🚀'))
    const splitAt = [7, 40, emoji + 1, emoji + 3, stream.indexOf('\n\n', 200) + 1]
    h.mock.handler = () => ({ kind: 'sse', stream, splitAt, delayMs: 5 })

    const res = await fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': key,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({
        model: 'claude-opus-4-1-20250805',
        max_tokens: 50,
        stream: true,
        messages: [{ role: 'user', content: 'go' }],
      }),
    })
    const received = Buffer.from(await res.arrayBuffer())
    assert.equal(received.equals(stream), true)
    const row = await waitForRow(db(), res.headers.get('x-request-id')!)
    assert.equal(row.is_streaming, true)
    assert.equal(row.stream_end, 'done')
    assert.equal(row.output_tokens, 12)
    assert.equal(row.input_tokens, 30)
    assert.ok(row.first_token_ms !== null && row.first_token_ms >= 0)
    assert.deepEqual((row.response_body as { content: unknown }).content, [
      { type: 'text', text: 'Ünïcödé stream 🚀 done' },
    ])
    const chunks = await db()
      .kysely.selectFrom('streaming_chunks')
      .select(['chunk_index', 'data'])
      .where('request_id', '=', row.request_id)
      .orderBy('chunk_index')
      .execute()
    assert.equal(chunks.length, splitAt.length + 1)
    assert.equal(chunks.map((c) => c.data).join(''), stream.toString('utf8'))
  })

  test('the SDK streams tool use through the proxy', async () => {
    const message = textMessage('claude-sonnet-4-5-20250929', 'Let me check.')
    message.content.push({
      type: 'tool_use',
      id: 'toolu_01A',
      name: 'get_weather',
      input: { city: 'Paris', unit: 'c' },
    })
    message.stop_reason = 'tool_use'
    h.mock.handler = () => ({ kind: 'sse', stream: Buffer.from(sseForMessage(message)) })
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 200,
      tools: [
        {
          name: 'get_weather',
          description: 'weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    })
    const final = await stream.finalMessage()
    assert.deepEqual(final.content[1], {
      type: 'tool_use',
      id: 'toolu_01A',
      name: 'get_weather',
      input: { city: 'Paris', unit: 'c' },
    })
    const { response } = await stream.withResponse()
    const row = await waitForRow(db(), response.headers.get('x-request-id')!)
    assert.equal(row.tool_call_count, 1)
    assert.deepEqual((row.response_body as { content: unknown[] }).content[1], final.content[1])
  })

  test('count_tokens and models pass through and are stored with their type', async () => {
    h.mock.handler = undefined
    const counted = await client.messages
      .countTokens({
        model: 'claude-sonnet-4-5-20250929',
        messages: [{ role: 'user', content: 'count me' }],
      })
      .withResponse()
    assert.equal(typeof counted.data.input_tokens, 'number')
    const row = await waitForRow(db(), counted.response.headers.get('x-request-id')!)
    assert.equal(row.request_type, 'count_tokens')
    const models = await client.models.list()
    assert.equal(models.data[0]?.id, 'claude-sonnet-4-5-20250929')
  })

  test('an upstream error reaches the SDK as that error and is stored', async () => {
    h.mock.handler = () => ({
      kind: 'json',
      status: 400,
      body: {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'max_tokens: must be positive' },
      },
    })
    const err = await client.messages
      .create({
        model: 'claude-sonnet-4-5-20250929',
        max_tokens: 0,
        messages: [{ role: 'user', content: 'x' }],
      })
      .then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      )
    assert.ok(err instanceof Anthropic.BadRequestError)
    assert.match(err.message, /max_tokens: must be positive/)
    const row = await waitForRow(db(), err.headers?.get('x-request-id') ?? '')
    const rows = [{ status_code: row.status_code, error: row.error, error_type: row.error_type }]
    assert.deepEqual(rows, [
      {
        status_code: 400,
        error: 'max_tokens: must be positive',
        error_type: 'invalid_request_error',
      },
    ])
  })
})
