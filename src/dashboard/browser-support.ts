import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's chromium (installed by .ci/run); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

// Git-ignored (.gitignore: screenshots/).
const SCREENSHOT_DIR = join(process.cwd(), 'screenshots')

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })
}

/** Every payload sets window.__pwned or opens a dialog if it ever runs. */
export const XSS_PAYLOADS = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '<svg onload="window.__pwned = \'svg\'"><circle r=5 /></svg>',
  "[click me](javascript:window.__pwned='md-link')",
  '<a href="javascript:window.__pwned=\'a\'">link</a>',
  '</textarea><script>window.__pwned = "textarea"</script>',
  '</title></pre></code><script>window.__pwned = "close-tags"</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert('quote')>",
  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
  '<details open ontoggle="window.__pwned=\'details\'">',
  '<style>body{display:none}</style>',
  '{{constructor.constructor("window.__pwned=1")()}}',
]
