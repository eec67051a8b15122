#!/usr/bin/env node
// Runs a TypeScript entry point with tsx's loader, resolved from this package rather
// than the caller's working directory, so `nexus` works from anywhere.
import { register } from 'tsx/esm/api'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'

register()
const [entry, ...rest] = process.argv.slice(2)
if (!entry) {
  console.error('usage: run-ts <file.ts> [args...]')
  process.exit(2)
}
process.argv = [process.argv[0] ?? 'node', entry, ...rest]
await import(pathToFileURL(resolve(entry)).href)
