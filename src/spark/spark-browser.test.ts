import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { loadSessionSecret, signLoginToken } from '../dashboard/auth/session-secret.ts'
import { launchChromium, screenshot } from '../dashboard/browser-support.ts'
import { startDashboard, type DashboardHarness } from '../dashboard/test-support.ts'
import { insertRequestRecords } from '../storage/request-store.ts'
import { SPARK_MARKDOWN, SparkServer, sparkRecord } from './test-spark-server.ts'

const SPARK_KEY = 'spark-browser-key-0123456789abcdef'
const spark = new SparkServer(SPARK_KEY)
after(() => spark.close())

describeEachDatabase('Spark cards in the browser', ({ db }) => {
  let up: DashboardHarness
  let down: DashboardHarness
  let browser: Browser
  let id: string
  // Both backends share one Spark server: each suite rates its own session.
  const session = `sess browser/${randomUUID()}`
  before(async () => {
    up = await startDashboard(db(), {
      SPARK_API_URL: await spark.start(),
      SPARK_API_KEY: SPARK_KEY,
    })
    down = await startDashboard(db(), {
      SPARK_API_URL: await closedPort(),
      SPARK_API_KEY: SPARK_KEY,
    })
    const record = sparkRecord('spark-browser.test', session, SPARK_MARKDOWN)
    await insertRequestRecords(db(), [record])
    id = record.requestId
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await up?.close()
    await down?.close()
  })

  async function loggedIn(h: DashboardHarness): Promise<Page> {
    const page = await browser.newPage()
    const secret = await loadSessionSecret(h.proxy.dataDir)
    await page.goto(`${h.url}/login?token=${signLoginToken(secret, Date.now(), 60_000)}`)
    return page
  }

  test('Spark card and feedback round trip', async () => {
    const page = await loggedIn(up)
    await page.goto(`${up.url}/requests/${id}`)
    const card = page.getByTestId('spark-card')
    await card.waitFor()
    assert.equal(await card.locator('h3').first().textContent(), 'Migrate in two steps')
    assert.equal(
      await card.getByRole('link', { name: 'the guide' }).getAttribute('rel'),
      'noopener noreferrer nofollow',
    )
    assert.equal(await card.locator('script, a[href^="javascript"]').count(), 0)
    assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined)

    const calls = spark.calls.length
    await card.locator('select[name=rating]').selectOption('4')
    await card.locator('textarea[name=comments]').fill('Saved me an hour')
    await card.getByLabel('Rating of Steps').selectOption('5')
    await card.getByLabel('Comment on Careful').fill('the script was odd')
    await card.getByRole('button', { name: 'Send feedback' }).click()
    await page.getByTestId('spark-notice').waitFor()
    assert.equal(
      await page.getByTestId('spark-notice').textContent(),
      'Feedback sent to Spark. Thank you.',
    )
    assert.match(
      (await page.getByTestId('spark-given').textContent()) ?? '',
      /Feedback given: 4\/5/,
    )
    await screenshot(page, 'spark-card')

    const sent = spark.calls.slice(calls).find((c) => c.path === '/feedback')!
    assert.equal(sent.headers['x-api-key'], SPARK_KEY)
    assert.deepEqual(sent.body, {
      session_id: session,
      rating: 4,
      comments: 'Saved me an hour',
      sections: [
        { section_id: 'steps', rating: 5, comments: null },
        { section_id: 'careful', rating: null, comments: 'the script was odd' },
      ],
    })
    const html = await page.content()
    assert.ok(!html.includes(SPARK_KEY), 'the key never reaches the browser')
    await page.close()
  })

  test('Spark down: the page renders and the form says why it failed', async () => {
    const page = await loggedIn(down)
    await page.goto(`${down.url}/requests/${id}`)
    const card = page.getByTestId('spark-card')
    await card.waitFor()
    assert.match(
      (await page.getByTestId('spark-load-error').textContent()) ?? '',
      /Spark could not be reached \(ECONNREFUSED\)/,
    )
    await card.locator('select[name=rating]').selectOption('2')
    await card.getByRole('button', { name: 'Send feedback' }).click()
    await page.getByTestId('spark-notice').waitFor()
    assert.equal(
      await page.getByTestId('spark-notice').textContent(),
      'Feedback not sent: Spark could not be reached. Try again later.',
    )
    await page.close()
  })
})

async function closedPort(): Promise<string> {
  const s = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => s.once('listening', r))
  const port = (s.address() as { port: number }).port
  await new Promise((r) => s.close(r))
  return `http://127.0.0.1:${port}`
}
