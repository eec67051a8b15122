import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { fetchAsHost, randomDomain } from '../../test-support/host-fetch.ts'
import { startProxy, waitForRow, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'

const DASHBOARD_KEY = 'dash-conversation-api-key'

describeEachDatabase('the conversation API on the proxy port', ({ db }) => {
  let h: ProxyHarness
  before(async () => {
    h = await startProxy(db(), { DASHBOARD_API_KEY: DASHBOARD_KEY })
  })
  after(() => h.close())

  const api = async (path: string, key: string | null = DASHBOARD_KEY) => {
    const res = await fetch(`${h.url}${path}`, {
      headers: key === null ? {} : { 'x-dashboard-key': key },
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  /** The linker runs in the background; the list is polled until it shows the request. */
  async function listed(domain: string) {
    for (;;) {
      const { body } = await api(`/api/conversations?domain=${domain}`)
      const found = body.conversations as { id: string; requestCount: number }[]
      if (found.length > 0) return found
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  test('serves /api/conversations and its detail behind the dashboard key', async () => {
    const domain = randomDomain('conversation-api')
    const res = await fetchAsHost(domain)(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': 'sk-ant-api03-client-key',
      },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Plan the release.' }],
      }),
    })
    await res.arrayBuffer()
    await waitForRow(db(), res.headers.get('x-request-id') ?? '')

    const [conversation] = await listed(domain)
    assert.equal(conversation?.requestCount, 1)
    const detail = await api(`/api/conversations/${conversation.id}?domain=${domain}`)
    assert.equal(detail.status, 200)
    assert.equal((detail.body.conversation as { id: string }).id, conversation.id)

    assert.deepEqual(await api('/api/conversations', null), {
      status: 401,
      body: {
        type: 'error',
        error: {
          type: 'authentication_error',
          message: 'Send X-Dashboard-Key (or log in to the dashboard)',
        },
      },
    })
    const elsewhere = await api(`/api/conversations/${conversation.id}?domain=other.example`)
    assert.equal(elsewhere.status, 404)
  })
})
