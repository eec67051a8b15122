import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'

const ASSET_DIR = fileURLToPath(new URL('../assets/', import.meta.url))
const require = createRequire(import.meta.url)

// A fixed list: nothing else on disk can be requested. uPlot ships in its npm package
// (a runtime dependency), so nothing is fetched from a CDN.
const FILES: Record<string, { path: () => string; type: string }> = {
  'dashboard.css': { path: () => `${ASSET_DIR}dashboard.css`, type: 'text/css; charset=utf-8' },
  'theme.js': { path: () => `${ASSET_DIR}theme.js`, type: 'text/javascript; charset=utf-8' },
  'live.js': { path: () => `${ASSET_DIR}live.js`, type: 'text/javascript; charset=utf-8' },
  'charts.js': { path: () => `${ASSET_DIR}charts.js`, type: 'text/javascript; charset=utf-8' },
  'vendor/uPlot.iife.min.js': {
    path: () => require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'vendor/uPlot.min.css': {
    path: () => require.resolve('uplot/dist/uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
}

/**
 * Static assets. Public (the login page needs its stylesheet) and data-free: code and
 * styles only, never anything stored.
 */
export function assetRoutes() {
  const app = new Hono()
  const cache = new Map<string, Promise<Buffer>>()
  app.get('/assets/*', async (c) => {
    const name = c.req.path.slice('/assets/'.length)
    // Own keys only: `constructor` or `__proto__` would otherwise find Object.prototype's.
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined
    if (!file) return c.notFound()
    let body = cache.get(name)
    if (!body) {
      body = readFile(file.path())
      cache.set(name, body)
    }
    return c.body(new Uint8Array(await body), 200, {
      'content-type': file.type,
      'cache-control': 'public, max-age=300',
    })
  })
  return app
}

/** The uPlot files the dashboard serves; resolvable means the package is installed. */
export function uplotFiles(): string[] {
  return ['uplot/dist/uPlot.iife.min.js', 'uplot/dist/uPlot.min.css'].map((f) => require.resolve(f))
}
