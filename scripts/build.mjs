#!/usr/bin/env node
// Compiles src/ to dist/ so `nexus` starts on plain node (tsx stays for development and
// tests). Run by `npm install`/`npm ci` through the `prepare` script. tsc emits what the CLI
// entry reaches; the files read at run time (migrations, dashboard assets, the PGlite worker)
// are copied beside it, in the same layout.
import { spawnSync } from 'node:child_process'
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { createRequire } from 'node:module'

const root = join(import.meta.dirname, '..')
const out = join(root, 'dist')
const RUNTIME_FILES = new Set(['.sql', '.css', '.js', '.mjs'])

rmSync(out, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
})
if (built.status !== 0) process.exit(built.status ?? 1)

function copyRuntimeFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (name !== 'fixtures') copyRuntimeFiles(path)
    } else if (RUNTIME_FILES.has(extname(name)) && !name.includes('.test.')) {
      const target = join(out, path.slice(join(root, 'src').length))
      cpSync(path, target)
    }
  }
}
copyRuntimeFiles(join(root, 'src'))
console.log('built dist/')
