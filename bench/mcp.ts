// MCP prompt server figures: `prompts/list` of 1,000 prompts and `prompts/get`, through the
// official SDK client against a listening server built as createApp builds it (src/mcp/).
// Server time is from the request's arrival to the last byte of its response (`finish`).
//
//   node bin/run-ts.js bench/mcp.ts [--prompts=1000] [--calls=300]
import { createServer } from 'node:http'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { getRequestListener } from '@hono/node-server'
import { createCredentialStore } from '../src/credentials/credential-store.ts'
import { mcpRoutes } from '../src/mcp/mcp-routes.ts'
import { PromptCatalog } from '../src/mcp/prompt-catalog.ts'
import { connectClient, mcpSandbox } from '../src/mcp/test-support.ts'
import { num, table, verdict } from './report.ts'

const { values: flags } = parseArgs({
  options: {
    prompts: { type: 'string', default: '1000' },
    calls: { type: 'string', default: '300' },
  },
})
const PROMPTS = Number(flags.prompts)
const CALLS = Number(flags.calls)
const silent = { debug() {}, info() {}, warn() {}, error() {} }

async function main() {
  const box = await mcpSandbox()
  await mkdir(box.promptsDir, { recursive: true })
  for (let i = 0; i < PROMPTS; i++) {
    const name = `prompt-${String(i).padStart(4, '0')}`
    await writeFile(
      join(box.promptsDir, `${name}.yaml`),
      `description: Prompt number ${i} for the benchmark\narguments:\n  - name: file\n    description: a file\n    required: true\n  - name: focus\n    description: what to look at\ntemplate: |\n  Review {{file}} carefully.\n  {{#if focus}}Focus on {{focus}}.{{/if}}\n  ${'Some fixed guidance text. '.repeat(20)}\n`,
    )
  }
  const catalog = new PromptCatalog({ dir: box.promptsDir, log: silent, pollMs: 0 })
  const loadStart = performance.now()
  await catalog.load()
  const loadMs = performance.now() - loadStart
  const routes = mcpRoutes({
    catalog,
    credentialStore: createCredentialStore({ dir: box.credentialsDir }),
    log: silent,
  })
  const listener = getRequestListener(routes.app.fetch)
  let phase: 'list' | 'get' | undefined
  const times: Record<'list' | 'get', number[]> = { list: [], get: [] }
  const server = createServer((req, res) => {
    const label = req.method === 'POST' ? phase : undefined
    const started = performance.now()
    res.on('finish', () => label && times[label].push(performance.now() - started))
    void listener(req, res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`
  const { client, transport } = await connectClient(url)
  const listed = (await client.listPrompts()).prompts.length
  if (listed !== PROMPTS) throw new Error(`listed ${listed} prompts, expected ${PROMPTS}`)
  for (let i = 0; i < 20; i++)
    await client.getPrompt({ name: 'prompt-0000', arguments: { file: 'a.ts' } })
  const round: Record<'list' | 'get', number[]> = { list: [], get: [] }
  phase = 'list'
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now()
    await client.listPrompts()
    round.list.push(performance.now() - t)
  }
  phase = 'get'
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now()
    const name = `prompt-${String(i % PROMPTS).padStart(4, '0')}`
    await client.getPrompt({ name, arguments: { file: `src/file-${i}.ts`, focus: 'errors' } })
    round.get.push(performance.now() - t)
  }
  phase = undefined
  await transport.terminateSession()
  await client.close()
  await routes.close()
  server.close()
  await rm(box.root, { recursive: true, force: true })

  console.log(
    `MCP prompt server: ${PROMPTS} prompts (loaded in ${num(loadMs)} ms), ${CALLS} calls each\n`,
  )
  const rows = (['list', 'get'] as const).map((kind) => {
    const s = stats(times[kind])
    const r = stats(round[kind])
    const target = { value: s.p50, limit: 5, kind: 'max' as const }
    return [
      `prompts/${kind}`,
      num(s.p50, 2),
      num(s.p95, 2),
      num(s.p99, 2),
      num(s.max, 2),
      num(r.p50, 2),
      `${verdict(target)} (p50 ≤ 5 ms)`,
    ]
  })
  // The tail depends on what else the machine runs; say how busy it was.
  console.log(
    `load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  )
  console.log(
    table(['call', 'server p50 ms', 'p95', 'p99', 'max', 'round trip p50', 'target'], rows),
  )
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN }
}

await main()
