import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { loadSessionSecret, signLoginToken } from './auth/session-secret.ts'
import { launchChromium } from './browser-support.ts'
import { randomKey, sendThroughProxy, startDashboard, writeCredentialFile } from './test-support.ts'
import type { DashboardHarness } from './test-support.ts'

const TABS = 8

describeEachDatabase('one live connection per browser', ({ db }) => {
  let h: DashboardHarness
  let browser: Browser
  let server: Server
  let url: string
  /** Every GET /events the dashboard was asked for, open or closed. */
  let streams = 0

  before(async () => {
    h = await startDashboard(db())
    await writeCredentialFile(h.proxy.credentialsDir, 'team-live.test', [randomKey('cnp_live_')])
    // The dashboard behind a server that counts the live streams it is asked for.
    server = createServer((req, res) => {
      if (req.url === '/events') streams++
      h.proxy.app.dashboardListener(req, res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    server?.closeAllConnections()
    await new Promise((r) => server?.close(r))
    await h?.close()
  })

  async function loggedIn(withoutSharedWorker: boolean): Promise<BrowserContext> {
    const context = await browser.newContext()
    await signIn(context, withoutSharedWorker)
    return context
  }

  async function signIn(context: BrowserContext, withoutSharedWorker: boolean) {
    if (withoutSharedWorker) {
      await context.addInitScript(() => {
        delete (window as { SharedWorker?: unknown }).SharedWorker
      })
    }
    const secret = await loadSessionSecret(h.proxy.dataDir)
    const page = await context.newPage()
    await page.goto(`${url}/login?token=${signLoginToken(secret, Date.now(), 60_000)}`)
    // A page without live regions opens no stream.
    await page.goto(`${url}/usage`)
    const shared = await page.evaluate(
      () => typeof (window as { SharedWorker?: unknown }).SharedWorker,
    )
    assert.equal(shared, withoutSharedWorker ? 'undefined' : 'function')
    await page.locator('#live-status[data-state=idle]').waitFor()
    await page.close()
  }

  async function eightTabsOneStream(context: BrowserContext) {
    streams = 0
    const tabs: Page[] = []
    for (let i = 0; i < TABS; i++) {
      const page = await context.newPage()
      await page.goto(`${url}/requests`)
      tabs.push(page)
    }
    for (const page of tabs) await page.locator('#live-status[data-state=on]').waitFor()
    const sent = await sendThroughProxy(h.proxy.url, {
      host: 'team-live.test',
      body: {
        model: 'claude-haiku-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'to every tab' }],
      },
    })
    for (const page of tabs) {
      await page.locator(`#request-rows tr[data-id="${sent.requestId}"]`).waitFor()
    }
    assert.equal(streams, 1)
    await context.close()
  }

  test(`${TABS} tabs share one SharedWorker stream and all update live`, async () => {
    await eightTabsOneStream(await loggedIn(false))
  })

  test(`without SharedWorker, ${TABS} tabs elect one leader (Web Locks) and all update live`, async () => {
    await eightTabsOneStream(await loggedIn(true))
  })

  test('a SharedWorker that never answers: the tab opens its own stream and updates live', async () => {
    const context = await browser.newContext()
    // What Chromium does when a page connects to a worker it is ending: a port, and silence.
    await context.addInitScript(() => {
      ;(window as { SharedWorker?: unknown }).SharedWorker = function () {
        return { port: new MessageChannel().port1 }
      }
    })
    await signIn(context, false)
    streams = 0
    const page = await context.newPage()
    await page.goto(`${url}/requests`)
    await page.locator('#live-status[data-state=on]').waitFor()
    const sent = await sendThroughProxy(h.proxy.url, {
      host: 'team-live.test',
      body: {
        model: 'claude-haiku-4-5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'past a silent worker' }],
      },
    })
    await page.locator(`#request-rows tr[data-id="${sent.requestId}"]`).waitFor()
    assert.equal(streams, 1)
    await context.close()
  })
})
