import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fetchAsHost, randomDomain } from '../../test-support/host-fetch.ts'
import { sseForMessage, textMessage } from '../../test-support/mock-anthropic.ts'
import { startProxy, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import { WebhookReceiver } from '../../test-support/webhook-receiver.ts'

const MODEL = 'claude-sonnet-4-5-20250929'

function turnBody(stream: boolean) {
  return {
    model: MODEL,
    max_tokens: 500,
    stream,
    messages: [
      { role: 'user', content: 'Where are we?' },
      { role: 'assistant', content: 'In /tmp.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>CLAUDE.md: be brief</system-reminder>' },
          {
            type: 'text',
            text: 'List the files please <system-reminder>today is Wednesday</system-reminder>',
          },
        ],
      },
    ],
  }
}

function answer() {
  const message = textMessage(MODEL, '  Here they are: <b>bold</b> & <!channel>  ', {
    input_tokens: 1200,
    output_tokens: 80,
    cache_read_input_tokens: 3000,
  })
  message.content.push({
    type: 'tool_use',
    id: 'toolu_1',
    name: 'Bash',
    input: { command: 'ls -la\n/tmp', description: 'list' },
  })
  message.content.push({ type: 'tool_use', id: 'toolu_2', name: 'TodoWrite', input: { todos: [] } })
  message.stop_reason = 'tool_use'
  return message
}

// Sonnet 4.5: 1200 × $3 + 80 × $15 + 3000 × $0.30 per MTok = $0.0057.
const expectedText = (domain: string) =>
  [
    `*${MODEL}* · ${domain} · 1,200 in / 80 out · cache 3,000 read / 0 written · $0.0057`,
    '*User:* List the files please',
    '*Claude:* Here they are: &lt;b&gt;bold&lt;/b&gt; &amp; &lt;!channel&gt;',
    '• `Bash: ls -la /tmp`',
    '• `TodoWrite: {"todos":[]}`',
  ].join('\n')

describe('Slack notifications through the proxy', () => {
  const slack = new WebhookReceiver()
  let h: ProxyHarness

  before(async () => {
    await slack.start()
    h = await startProxy(null, {
      STORAGE_ENABLED: 'false',
      SLACK_WEBHOOK_URL: `${slack.url}/services/global`,
      SLACK_CHANNEL: '#claude',
      SLACK_USERNAME: 'Nexus',
      SLACK_ICON_EMOJI: ':robot_face:',
      SLACK_TIMEOUT_MS: '300',
    })
  })
  after(async () => {
    await h.close()
    await slack.close()
  })

  async function send(domain: string, body: unknown, init: RequestInit = {}) {
    const res = await fetchAsHost(domain)(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': 'sk-ant-api03-slack-test-key',
      },
      body: JSON.stringify(body),
      ...init,
    })
    await res.arrayBuffer()
    return res
  }

  const forDomain = (domain: string) =>
    slack.received.filter((r) => JSON.stringify(r.body).includes(domain))

  test('a JSON turn posts one message to the global webhook', async () => {
    const domain = randomDomain('slack')
    h.mock.handler = () => ({ kind: 'json', body: answer() })
    await send(domain, turnBody(false))
    await slack.waitFor(1, '/services/global')
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(forDomain(domain), [
      {
        path: '/services/global',
        body: {
          text: expectedText(domain),
          channel: '#claude',
          username: 'Nexus',
          icon_emoji: ':robot_face:',
        },
      },
    ])
  })

  test('a streamed turn posts the same single message', async () => {
    const domain = randomDomain('slack')
    h.mock.handler = () => ({
      kind: 'sse',
      stream: Buffer.from(sseForMessage(answer())),
      splitAt: [17, 400],
    })
    await send(domain, turnBody(true))
    await waitUntil(() => forDomain(domain).length > 0)
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(
      forDomain(domain).map((r) => (r.body as { text: string }).text),
      [expectedText(domain)],
    )
  })

  test("a domain's own webhook wins over the global one", async () => {
    const domain = randomDomain('slack')
    const file = {
      type: 'api_key',
      accountId: 'acc_slack_domain',
      api_key: 'sk-ant-api03-domain-key-for-slack',
      slack: { webhook_url: `${slack.url}/services/${domain}`, channel: '#team-a' },
    }
    await writeFile(join(h.credentialsDir, `${domain}.credentials.json`), JSON.stringify(file), {
      mode: 0o600,
    })
    h.mock.handler = () => ({ kind: 'json', body: answer() })
    await send(domain, turnBody(false))
    await slack.waitFor(1, `/services/${domain}`)
    await new Promise((r) => setTimeout(r, 50))
    const got = forDomain(domain)
    assert.deepEqual(
      got.map((r) => r.path),
      [`/services/${domain}`],
    )
    // The domain's channel; the global username and icon fill what the domain left out.
    const body = got[0]?.body as Record<string, string>
    assert.deepEqual(
      [body.channel, body.username, body.icon_emoji],
      ['#team-a', 'Nexus', ':robot_face:'],
    )
  })

  test('an error is posted once, however often it repeats', async () => {
    const domain = randomDomain('slack')
    h.mock.handler = () => ({
      kind: 'json',
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    })
    for (let i = 0; i < 3; i++) assert.equal((await send(domain, turnBody(false))).status, 529)
    await waitUntil(() => forDomain(domain).length > 0)
    await new Promise((r) => setTimeout(r, 100))
    const texts = forDomain(domain).map((r) => (r.body as { text: string }).text)
    assert.equal(texts.length, 1)
    assert.match(
      texts[0] ?? '',
      new RegExp(
        `^:warning: \\*Request failed\\* · ${domain.replace(/\./g, '\\.')} · ${MODEL}\\n529 overloaded_error: Overloaded\\nrequest [0-9a-f-]{36}$`,
      ),
    )
  })

  test('a client that hangs up mid-stream causes no message', async () => {
    const domain = randomDomain('slack')
    const stream = Buffer.from(sseForMessage(answer()))
    h.mock.handler = () => ({ kind: 'sse', stream, splitAt: [200, 400, 600, 800], delayMs: 150 })
    const controller = new AbortController()
    const res = await fetchAsHost(domain)(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': 'sk-ant-api03-slack-test-key',
      },
      body: JSON.stringify(turnBody(true)),
      signal: controller.signal,
    })
    const reader = res.body!.getReader()
    await reader.read()
    controller.abort()
    await reader.read().catch(() => undefined)
    // A later turn on the same domain is posted; the aborted one never is.
    h.mock.handler = () => ({ kind: 'json', body: answer() })
    await new Promise((r) => setTimeout(r, 800))
    await send(domain, turnBody(false))
    await waitUntil(() => forDomain(domain).length > 0)
    await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(
      forDomain(domain).map((r) => (r.body as { text: string }).text),
      [expectedText(domain)],
    )
  })
})

describe('a slow or broken Slack never touches the proxied request', () => {
  const slack = new WebhookReceiver()
  let h: ProxyHarness

  before(async () => {
    await slack.start()
    h = await startProxy(null, {
      STORAGE_ENABLED: 'false',
      SLACK_WEBHOOK_URL: `${slack.url}/services/hanging`,
      SLACK_TIMEOUT_MS: '10000',
    })
  })
  after(async () => {
    // Closing the receiver first fails the held messages, so shutdown need not wait them out.
    await slack.close()
    await h.close()
  })

  for (const mode of ['fail', 'hang'] as const) {
    test(`a receiver that ${mode === 'hang' ? 'never answers' : 'answers 500'}`, async () => {
      slack.mode = mode
      slack.received.length = 0
      h.mock.handler = () => ({ kind: 'json', body: answer() })
      const started = performance.now()
      const statuses = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const res = await fetch(`${h.url}/v1/messages`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'anthropic-version': '2023-06-01',
              'x-api-key': 'sk-ant-api03-slack-test-key',
            },
            body: JSON.stringify(turnBody(false)),
          })
          await res.json()
          return res.status
        }),
      )
      const elapsed = performance.now() - started
      assert.deepEqual(statuses, Array(10).fill(200))
      // Had they waited for Slack, which holds each message 10 s, these would take 10 s or more.
      assert.ok(elapsed < 5000, `requests took ${Math.round(elapsed)} ms`)
      // Slack did get the messages (two at a time: the others wait in the queue).
      await slack.waitFor(2)
    })
  }
})

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
