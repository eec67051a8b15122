import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext } from 'playwright-core'
import { FakeGithub, GREET_YAML } from '../mcp/test-support.ts'
import { loadSessionSecret, signLoginToken } from './auth/session-secret.ts'
import { launchChromium } from './browser-support.ts'
import {
  loginCookie,
  randomKey,
  startDashboard,
  writeCredentialFile,
  type DashboardHarness,
} from './test-support.ts'

describe('the Prompts page in a real browser', () => {
  const github = new FakeGithub()
  let promptsDir: string
  let h: DashboardHarness
  let browser: Browser
  let admin: BrowserContext
  let keyB: string

  before(async () => {
    const apiUrl = await github.start()
    github.files.set('from-git.yaml', 'description: synced\ntemplate: From git\n')
    promptsDir = await mkdtemp(join(tmpdir(), 'nexus-prompts-page-'))
    await writeFile(join(promptsDir, 'greet.yaml'), GREET_YAML)
    await writeFile(join(promptsDir, 'broken.yaml'), 'description: x\ntemplate: [oops\n')
    await mkdir(join(promptsDir, 'team-a.test'))
    await writeFile(join(promptsDir, 'team-a.test', 'only-a.yaml'), 'template: A only\n')
    h = await startDashboard(null, {
      MCP_PROMPTS_DIR: promptsDir,
      MCP_GITHUB_OWNER: 'acme',
      MCP_GITHUB_REPO: 'prompts',
      MCP_GITHUB_PATH: 'team/shared',
      MCP_GITHUB_API_URL: apiUrl,
      MCP_SYNC_INTERVAL: '0',
    })
    keyB = randomKey('cnp_live_')
    await writeCredentialFile(h.proxy.credentialsDir, 'team-b.test', [keyB])
    browser = await launchChromium()
    admin = await browser.newContext()
    const page = await admin.newPage()
    const secret = await loadSessionSecret(h.proxy.dataDir)
    await page.goto(`${h.url}/login?token=${signLoginToken(secret, Date.now(), 60_000)}`)
    await page.close()
  })
  after(async () => {
    await browser?.close()
    await h?.close()
    await github.close()
    await rm(promptsDir, { recursive: true, force: true })
  })

  test('list, search, skipped files, a prompt with its arguments and a rendered preview', async () => {
    const page = await admin.newPage()
    await page.goto(`${h.url}/prompts`)
    const rows = () => page.getByTestId('prompt-list').locator('tbody tr').allInnerTexts()
    const list = await rows()
    assert.ok(
      list.some((r) => r.startsWith('/mcp__nexus__greet\tshared\tGreets someone\twho [tone]')),
      list.join('\n'),
    )
    assert.ok(
      list.some((r) => r.startsWith('/mcp__nexus__only-a\tteam-a.test')),
      list.join('\n'),
    )
    assert.match(
      await page.getByTestId('prompt-problems').innerText(),
      /broken\.yaml:3 Flow sequence/,
    )

    await page.getByTestId('prompt-search').fill('GREETS')
    await page.getByRole('button', { name: 'Search' }).click()
    assert.deepEqual((await rows()).length, 1)

    await page.getByRole('link', { name: '/mcp__nexus__greet' }).click()
    assert.match(await page.locator('main').innerText(), /Missing required argument: who/)
    const hostile = '<img src=x onerror="window.__pwned=1">'
    await page.locator('input[name="arg.who"]').fill(hostile)
    await page.locator('input[name="arg.tone"]').fill('warm')
    await page.getByRole('button', { name: 'Preview' }).click()
    assert.equal(
      await page.getByTestId('prompt-preview').innerText(),
      `Say hello to ${hostile} in a warm tone. Keep <b>&</b> as is.`,
    )
    assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined)
    assert.match(await page.getByTestId('prompt-template').innerText(), /^Say hello to \{\{who\}\}/)
    await page.close()
  })

  test('sync status and "Sync now" pull the repository', async () => {
    const page = await admin.newPage()
    github.head = 'c9'
    github.files.set('second.yaml', 'template: Second\n')
    await page.goto(`${h.url}/prompts`)
    await page.getByRole('button', { name: 'Sync now' }).click()
    await page.waitForURL(`${h.url}/prompts`)
    const panel = await page.getByTestId('prompt-sync').innerText()
    assert.match(panel, /GitHub sync · acme\/prompts@main:team\/shared/)
    assert.match(panel, / · c9\n/)
    assert.match(panel, /1 added, 0 updated, 1 unchanged, 0 refused/)
    const list = await page.getByTestId('prompt-list').locator('tbody tr').allInnerTexts()
    assert.ok(
      list.some((r) => r.startsWith('/mcp__nexus__second\tshared')),
      list.join('\n'),
    )
    await page.close()
  })

  test("a domain login sees the shared set, not another domain's folder or the skipped files", async () => {
    const cookie = await loginCookie(h.url, keyB)
    const res = await fetch(`${h.url}/prompts`, { headers: { cookie } })
    const html = await res.text()
    assert.equal(res.status, 200)
    assert.ok(html.includes('/mcp__nexus__greet'))
    assert.ok(!html.includes('only-a'))
    assert.ok(!html.includes('broken.yaml'))
    const hidden = await fetch(`${h.url}/prompts/only-a?set=team-a.test`, { headers: { cookie } })
    assert.equal(hidden.status, 404)
  })
})
