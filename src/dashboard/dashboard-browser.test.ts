import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { sseForMessage, textMessage } from '../../test-support/mock-anthropic.ts'
import { waitForRow } from '../../test-support/proxy-harness.ts'
import { loadSessionSecret, signLoginToken } from './auth/session-secret.ts'
import { launchChromium, screenshot, XSS_PAYLOADS } from './browser-support.ts'
import { seedConversation, type SeededConversation } from './demo/demo-conversations.ts'
import { storedBodyColumn } from '../storage/content-store.ts'
import {
  randomKey,
  sendThroughProxy,
  startDashboard,
  writeCredentialFile,
  type DashboardHarness,
} from './test-support.ts'

const PAYLOAD = XSS_PAYLOADS.join('\n')

describeEachDatabase('dashboard in a real browser', ({ db, backend }) => {
  let h: DashboardHarness
  let browser: Browser
  let admin: BrowserContext
  let keyA: string
  let conv: SeededConversation
  let otherConv: SeededConversation
  let xssId: string
  let xssErrorId: string

  before(async () => {
    h = await startDashboard(db())
    browser = await launchChromium()
    keyA = randomKey('cnp_live_')
    await writeCredentialFile(h.proxy.credentialsDir, 'team-a.test', [keyA])
    const now = Date.now()
    conv = await seedConversation(db(), {
      domain: 'team-a.test',
      start: new Date(now - 2 * 3_600_000),
      marker: 'alpha',
    })
    otherConv = await seedConversation(db(), {
      domain: 'team-b.test',
      start: new Date(now - 3_600_000),
      marker: 'bravo',
    })

    // Hostile content through the real proxy: in the prompt, the model's answer (streamed),
    // a tool call, thinking, the model name, a header and an upstream error message.
    h.proxy.mock.handler = (_req, body) => {
      const request = body as { stream?: boolean; messages?: unknown[] }
      if (JSON.stringify(request.messages).includes('make it fail')) {
        return {
          kind: 'json',
          status: 400,
          body: { type: 'error', error: { type: 'invalid_request_error', message: PAYLOAD } },
        }
      }
      const message = textMessage('claude-sonnet-4-5-20250929', PAYLOAD)
      message.content = [
        { type: 'thinking', thinking: PAYLOAD, signature: 's' },
        { type: 'text', text: PAYLOAD },
        {
          type: 'tool_use',
          id: 'toolu_x"><img src=x onerror=alert(2)>',
          name: '<img src=x onerror=alert(3)>',
          input: { command: PAYLOAD },
        },
      ]
      message.stop_reason = 'tool_use'
      return request.stream
        ? { kind: 'sse', stream: Buffer.from(sseForMessage(message)) }
        : { kind: 'json', body: message }
    }
    const sent = await sendThroughProxy(h.proxy.url, {
      host: 'team-a.test',
      headers: { 'user-agent': PAYLOAD.replace(/\n/g, ' ') },
      body: {
        model: '<img src=x onerror="window.__pwned=\'model\'">',
        max_tokens: 100,
        stream: true,
        system: PAYLOAD,
        messages: [
          { role: 'user', content: [{ type: 'text', text: PAYLOAD }] },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: PAYLOAD } },
            ],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: PAYLOAD }],
          },
        ],
      },
    })
    assert.equal(sent.status, 200)
    xssId = sent.requestId
    const failed = await sendThroughProxy(h.proxy.url, {
      host: 'team-a.test',
      body: {
        model: 'claude-sonnet-4-5-20250929',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'make it fail' }],
      },
    })
    assert.equal(failed.status, 400)
    xssErrorId = failed.requestId
    await waitForRow(db(), xssId)
    await waitForRow(db(), xssErrorId)
    h.proxy.mock.handler = undefined

    admin = await browser.newContext()
    const secret = await loadSessionSecret(h.proxy.dataDir)
    const page = await admin.newPage()
    await page.goto(`${h.url}/login?token=${signLoginToken(secret, Date.now(), 60_000)}`)
    await page.close()
  })

  after(async () => {
    await browser?.close()
    await h?.close()
  })

  async function open(context: BrowserContext, path: string): Promise<Page> {
    const page = await context.newPage()
    await page.goto(`${h.url}${path}`)
    return page
  }

  test('the one-click login link logs in once; the form logs in with a key', async () => {
    const page = await open(admin, '/')
    assert.equal(new URL(page.url()).pathname, '/')
    assert.equal(await page.getByTestId('viewer').innerText(), 'admin')
    await page.close()
    // The same link again, in a fresh browser, is refused (single use).
    const fresh = await browser.newContext()
    const secret = await loadSessionSecret(h.proxy.dataDir)
    const link = `${h.url}/login?token=${signLoginToken(secret, Date.now(), 60_000)}`
    const first = await fresh.newPage()
    await first.goto(link)
    assert.equal(new URL(first.url()).pathname, '/')
    const other = await browser.newContext()
    const second = await other.newPage()
    const res = await second.goto(link)
    assert.equal(res?.status(), 401)
    // The form, with `next` kept across the login redirect.
    await second.goto(`${h.url}/usage`)
    assert.equal(new URL(second.url()).pathname, '/login')
    await second.fill('input[name=key]', h.key)
    await second.click('button[type=submit]')
    await second.waitForURL(`${h.url}/usage`)
    await fresh.close()
    await other.close()
  })

  test('every page renders, in light and dark', async () => {
    const pages: Array<[string, string, string]> = [
      ['overview', '/', 'overview-stats'],
      ['requests', '/requests', 'request-list'],
      ['request', `/requests/${conv.requestIds[2]}`, 'messages'],
      ['conversations', '/conversations', 'conversation-list'],
      ['conversation', `/conversations/${conv.conversationId}`, 'conversation-tree'],
      ['usage', '/usage', 'window-gauge'],
    ]
    for (const [name, path, testid] of pages) {
      const page = await open(admin, path)
      await page.getByTestId(testid).first().waitFor()
      await screenshot(page, `${backend}-${name}-light`)
      // The theme toggles everywhere; dark screenshots of a few pages are enough to look at.
      await page.click('#theme-toggle')
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark')
      if (['overview', 'request', 'conversation'].includes(name)) {
        await screenshot(page, `${backend}-${name}-dark`)
      }
      await page.click('#theme-toggle')
      await page.close()
    }
    // Charts are drawn by the bundled uPlot.
    const usage = await open(admin, '/usage')
    await usage.locator('[data-testid=chart-daily-model] .uplot').waitFor()
    assert.ok(
      await usage.evaluate(
        () => typeof (window as unknown as { uPlot?: unknown }).uPlot === 'function',
      ),
    )
    await usage.close()
  })

  test('request detail: tool calls with their results, thinking collapsed, reminders hidden', async () => {
    const page = await open(admin, `/requests/${conv.requestIds[2]}`)
    const tool = page.getByTestId('tool-use').filter({ hasText: 'Bash' }).first()
    assert.match(await tool.innerText(), /npm test -- utils[\s\S]*result[\s\S]*expected 2024-02-29/)
    assert.equal(await page.locator('details.thinking').first().getAttribute('open'), null)
    assert.match(await page.getByTestId('hidden-note').innerText(), /Hidden: 1 system reminder/)
    assert.ok(!(await page.getByTestId('messages').innerText()).includes('system-reminder'))
    assert.match(await page.getByTestId('stream-end').innerText(), /done/)
    await page.close()
  })

  test('requests: filter, search and paginate', async () => {
    const page = await open(admin, '/requests?domain=team-b.test')
    const rows = page.locator('#request-rows tr')
    assert.ok((await rows.count()) >= 8)
    for (const text of await rows.allInnerTexts()) assert.match(text, /team-b\.test/)
    await page.goto(`${h.url}/requests?q=bravo`)
    assert.equal(await rows.count(), 1)
    await page.goto(`${h.url}/requests?status=error`)
    assert.ok((await rows.allInnerTexts()).some((t) => t.includes('400')))
    await page.close()
  })

  test('follow the conversation tree into a request and back', async () => {
    const page = await open(admin, '/conversations')
    await page.getByTestId('conversation-list').getByText(conv.conversationId.slice(0, 8)).click()
    await page.waitForURL(`${h.url}/conversations/${conv.conversationId}`)
    const tree = page.getByTestId('conversation-tree')
    assert.equal(await tree.locator('.tree-node').count(), 8)
    assert.deepEqual(
      (await page.getByTestId('branch-filter').locator('a').allInnerTexts()).map(
        (t) => t.split(' ')[0],
      ),
      ['all', 'main', 'subtask_1', 'branch_1', 'compact_1'],
    )
    await page.getByTestId('branch-filter').getByText('subtask_1').click()
    assert.equal(
      await tree.locator('.tree-node').count(),
      3,
      'the sub-agent and the request that spawned it',
    )
    await tree.locator('.tree-node', { hasText: 'subtask_1' }).first().click()
    await page.waitForURL(`${h.url}/requests/${conv.requestIds[3]}`)
    assert.match(await page.getByTestId('request-facts').innerText(), /sub-agent of/)
    await page.getByTestId('conversation-link').click()
    await page.waitForURL(`${h.url}/conversations/${conv.conversationId}`)
    // The timeline's nodes are links too.
    assert.equal(await page.getByTestId('conversation-timeline').locator('a').count(), 8)
    await page.close()
  })

  test('a new request appears on the open requests page without a reload', async () => {
    const page = await open(admin, '/requests')
    await page.locator('#live-status[data-state=on]').waitFor()
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42))
    const sent = await sendThroughProxy(h.proxy.url, {
      host: 'team-a.test',
      body: {
        model: 'claude-haiku-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'live one' }],
      },
    })
    await page.locator(`#request-rows tr[data-id="${sent.requestId}"]`).waitFor({ timeout: 10_000 })
    assert.equal(
      await page.evaluate(() => (window as unknown as { __marker: number }).__marker),
      42,
      'same page, not reloaded',
    )
    await page.close()
  })

  test('a conversation tree grows live when the next turn arrives', async () => {
    const page = await open(admin, `/conversations/${conv.conversationId}`)
    await page.locator('#live-status[data-state=on]').waitFor()
    const tree = page.getByTestId('conversation-tree')
    const before = await tree.locator('.tree-node').count()
    // The turn after the last main-line request: its messages, the answer, a new prompt.
    const row = await db()
      .kysely.selectFrom('api_requests')
      .select(['response_body', storedBodyColumn()])
      .where('request_id', '=', conv.requestIds[6] as string)
      .executeTakeFirstOrThrow()
    const body = row.stored_body as { system: string; messages: unknown[] }
    const answer = (row.response_body as { content: unknown[] }).content
    const sent = await sendThroughProxy(h.proxy.url, {
      host: 'team-a.test',
      body: {
        model: 'claude-sonnet-4-5-20250929',
        max_tokens: 100,
        system: body.system,
        messages: [
          ...body.messages,
          { role: 'assistant', content: answer },
          { role: 'user', content: 'Thanks, commit it' },
        ],
      },
    })
    await tree.locator(`[data-request-id="${sent.requestId}"]`).waitFor({ timeout: 15_000 })
    assert.equal(await tree.locator('.tree-node').count(), before + 1)
    await page.close()
  })

  test('stored script and HTML payloads render as inert text on every page', async () => {
    // CSP bypassed on purpose: this proves escaping alone holds; the CSP is a second wall.
    const context = await browser.newContext({ bypassCSP: true })
    await context.addCookies(await admin.cookies())
    const dialogs: string[] = []
    context.on('page', (p) => p.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss())))
    for (const path of [
      '/',
      '/requests',
      `/requests?model=${encodeURIComponent('<img src=x onerror="window.__pwned=\'model\'">')}`,
      `/requests/${xssId}`,
      `/requests/${xssErrorId}`,
      '/conversations',
      '/usage',
    ]) {
      const page = await context.newPage()
      await page.goto(`${h.url}${path}`)
      await page.evaluate(() =>
        document.querySelectorAll('details').forEach((d) => (d.open = true)),
      )
      await page.waitForTimeout(100)
      const probe = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        injected: document.querySelectorAll(
          'img, iframe, svg[onload], [onerror], [onload], [ontoggle], a[href^="javascript:"], main style',
        ).length,
        scripts: Array.from(document.querySelectorAll('script'), (s) => s.getAttribute('src')),
      }))
      assert.equal(probe.pwned, undefined, path)
      assert.equal(probe.injected, 0, path)
      assert.ok(
        probe.scripts.every((src) => src?.startsWith('/assets/')),
        `${path}: ${probe.scripts.join(',')}`,
      )
      if (path === `/requests/${xssId}`) {
        const text = await page.getByTestId('messages').innerText()
        for (const payload of XSS_PAYLOADS)
          assert.ok(text.includes(payload), `shown as text: ${payload}`)
        await screenshot(page, `${backend}-xss-request`)
      }
      await page.close()
    }
    assert.deepEqual(dialogs, [])
    await context.close()
  })

  test('attacks are refused: no cookie, forged cookie, SSE without a session', async () => {
    const anonymous = await browser.newContext()
    const page = await open(anonymous, `/requests/${conv.requestIds[0]}`)
    assert.equal(new URL(page.url()).pathname, '/login')
    await anonymous.addCookies([
      { name: 'nexus_session', value: 'v1.eyJzY29wZSI6eyJraW5kIjoiYWRtaW4ifX0.AAAA', url: h.url },
    ])
    await page.goto(`${h.url}/conversations`)
    assert.equal(new URL(page.url()).pathname, '/login')
    const sse = await page.evaluate(async () => (await fetch('/events')).status)
    assert.equal(sse, 401)
    const opened = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const source = new EventSource('/events')
          source.onopen = () => resolve('open')
          source.onerror = () => resolve('refused')
        }),
    )
    assert.equal(opened, 'refused')
    await anonymous.close()
  })

  test('a domain key logs in to that domain only', async () => {
    const context = await browser.newContext()
    const page = await open(context, '/login')
    await page.fill('input[name=key]', keyA)
    await page.click('button[type=submit]')
    await page.waitForURL(`${h.url}/`)
    assert.equal(await page.getByTestId('viewer').innerText(), 'team-a.test')
    await page.goto(`${h.url}/conversations`)
    const list = await page.getByTestId('conversation-list').innerText()
    assert.ok(list.includes(conv.conversationId.slice(0, 8)))
    assert.ok(!list.includes(otherConv.conversationId.slice(0, 8)))
    const res = await page.goto(`${h.url}/conversations/${otherConv.conversationId}`)
    assert.equal(res?.status(), 404)
    const detail = await page.goto(`${h.url}/requests/${otherConv.requestIds[0]}`)
    assert.equal(detail?.status(), 404)
    assert.ok(!(await page.content()).includes('bravo'))
    // Live events of other domains never reach this session.
    await page.goto(`${h.url}/requests`)
    await page.locator('#live-status[data-state=on]').waitFor()
    const other = await sendThroughProxy(h.proxy.url, {
      host: 'team-b.test',
      body: {
        model: 'claude-haiku-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'not for team a' }],
      },
    })
    const mine = await sendThroughProxy(h.proxy.url, {
      host: 'team-a.test',
      body: {
        model: 'claude-haiku-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'for team a' }],
      },
    })
    await page.locator(`#request-rows tr[data-id="${mine.requestId}"]`).waitFor({ timeout: 10_000 })
    assert.equal(await page.locator(`#request-rows tr[data-id="${other.requestId}"]`).count(), 0)
    const lastEvent = await page.evaluate(
      () => (window as unknown as { __nexusLastEvent?: string }).__nexusLastEvent ?? '',
    )
    assert.ok(!lastEvent.includes('team-b'))
    await context.close()
  })
})
