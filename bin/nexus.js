#!/usr/bin/env node
// dist/ (built by `npm install` through the `prepare` script) starts on plain node; the
// sources run through tsx when NEXUS_FROM_SOURCE=1 (development, tests) or dist/ is missing.
import { existsSync } from 'node:fs'

const built = new URL('../dist/cli/main.js', import.meta.url)
const fromSource = process.env.NEXUS_FROM_SOURCE === '1' || !existsSync(built)
let main
if (fromSource) {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/cli/main.ts'))
} else {
  ;({ main } = await import(built.href))
}
await main(process.argv.slice(2))
