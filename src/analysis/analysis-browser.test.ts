import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { loadSessionSecret, signLoginToken } from '../dashboard/auth/session-secret.ts'
import { launchChromium } from '../dashboard/browser-support.ts'
import { startDashboard, type DashboardHarness } from '../dashboard/test-support.ts'
import {
  analysisJson,
  anthropicMessage,
  ScriptedServer,
  storeConversation,
} from './test-support.ts'

const XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'

const claude = new ScriptedServer()
after(() => claude.close())

describeEachDatabase('analysis panel in the browser', ({ db }) => {
  let h: DashboardHarness
  let browser: Browser
  let page: Page
  let id: string
  before(async () => {
    h = await startDashboard(db(), {
      ANTHROPIC_API_KEY: 'sk-ant-api03-browserbrowserbrowser',
      AI_ANALYSIS_CLAUDE_BASE_URL: await claude.start(),
      // Only a request on this instance wakes the worker: progress must come over the live stream.
      AI_WORKER_POLL_INTERVAL_MS: '600000',
    })
    id = await storeConversation(db(), 'browser.test')
    browser = await launchChromium()
    page = await browser.newPage()
    const secret = await loadSessionSecret(h.proxy.dataDir)
    await page.goto(`${h.url}/login?token=${signLoginToken(secret, Date.now(), 60_000)}`)
  })
  after(async () => {
    await browser?.close()
    await h?.close()
  })

  test('request, watch it complete live, markup in the answer stays inert', async () => {
    await page.goto(`${h.url}/conversations/${id}`)
    await page.locator('#live-status[data-state=on]').waitFor()
    const panel = page.getByTestId('analysis-panel')
    assert.equal(await panel.getAttribute('data-status'), 'none')
    let release: () => void = () => {}
    claude.gate = new Promise((r) => (release = r))
    claude.replies = [anthropicMessage(analysisJson(`Summary ${XSS}`))]
    await page.getByRole('button', { name: 'Request analysis' }).click()
    await page.locator('[data-testid=analysis-panel][data-status=processing]').waitFor()
    release()
    claude.gate = undefined
    await page.locator('[data-testid=analysis-panel][data-status=completed]').waitFor()
    assert.equal(await page.locator('.analysis-summary').textContent(), `Summary ${XSS}`)
    assert.equal(await page.evaluate(() => (window as { __xss?: number }).__xss), undefined)
    assert.equal(await page.locator('.analysis-result script, .analysis-result img').count(), 0)
    assert.match(
      (await page.getByTestId('analysis-status').textContent()) ?? '',
      /^completed · claude claude-sonnet-4-6 · 1500 tokens/,
    )
  })

  test('regenerate with a custom prompt', async () => {
    claude.replies = [anthropicMessage(analysisJson('Second look'))]
    await page.locator('textarea[name=customPrompt]').fill('Only the tests, please')
    await page.getByRole('button', { name: 'Regenerate analysis' }).click()
    await page.locator('.analysis-summary', { hasText: 'Second look' }).waitFor()
    const sent = claude.bodies.at(-1) as { messages: { content: string }[] }
    assert.match(sent.messages[0]!.content, /focus on[^\n]*\nOnly the tests, please/)
  })
})
