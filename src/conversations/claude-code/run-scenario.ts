import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Database } from '../../db/database.ts'
import { linkPending } from '../conversation-linker.ts'
import { createConversationStore } from '../conversation-store.ts'
import { ClaudeCodeScriptedModel } from '../../../test-support/claude-code-script.ts'
import type { ProxyHarness } from '../../../test-support/proxy-harness.ts'
import {
  createClaudeCodeSandbox,
  runClaudeCode,
  type ClaudeCodeRun,
  type ClaudeCodeSandbox,
} from '../../../test-support/run-claude-code.ts'
import { runClaudeCodeTui } from '../../../test-support/run-claude-code-tui.ts'
import { cliArgs, type ClaudeCodeScenario } from './scenarios.ts'
import { storedBodyColumn } from '../../storage/content-store.ts'

/** A stored `api_requests` row, as far as recordings and their tests read it. */
export interface StoredRequest {
  request_id: string
  seq: number
  method: string
  path: string
  query: string | null
  status_code: number | null
  is_streaming: boolean
  request_type: string | null
  session_id: string | null
  agent_id: string | null
  request_headers: unknown
  body: unknown
  response_body: unknown
}

export interface ScenarioResult {
  sandbox: ClaudeCodeSandbox
  model: ClaudeCodeScriptedModel
  runs: Array<{ args: string[]; run: ClaudeCodeRun; requests: StoredRequest[] }>
}

export interface RunScenarioOptions {
  proxy: ProxyHarness
  db: Database
  apiKey: string
  /** `PATH` for the CLI. */
  path: string
  timeoutMs?: number
  /** The CLI to run; the dev dependency by default. */
  binary?: string
}

/**
 * Runs every CLI invocation of a scenario through the proxy in front of the scripted model,
 * in a fresh sandbox, and returns the rows each invocation stored (in storage order). Stops
 * at the first run that fails. The caller removes `sandbox` when done (it is removed here
 * when running fails).
 */
export async function runScenario(
  scenario: ClaudeCodeScenario,
  options: RunScenarioOptions,
): Promise<ScenarioResult> {
  const sandbox = await createClaudeCodeSandbox()
  try {
    return await runAll(scenario, options, sandbox)
  } catch (err) {
    await sandbox.remove()
    throw err
  }
}

async function runAll(
  scenario: ClaudeCodeScenario,
  options: RunScenarioOptions,
  sandbox: ClaudeCodeSandbox,
): Promise<ScenarioResult> {
  for (const [name, content] of Object.entries(scenario.files ?? {})) {
    await writeFile(join(sandbox.cwd, name), content)
  }
  const model = new ClaudeCodeScriptedModel(scenario.script(sandbox.cwd))
  options.proxy.mock.handler = model.handler
  const result: ScenarioResult = { sandbox, model, runs: [] }
  const sessions: string[] = []
  for (const spec of scenario.runs) {
    const args = cliArgs(spec, sessions)
    const lastSeq = await maxSeq(options.db)
    const forwardedBefore = forwarded(options.proxy)
    const run =
      spec.typed === undefined
        ? await runClaudeCode({
            baseUrl: options.proxy.url,
            apiKey: options.apiKey,
            sandbox,
            args,
            path: options.path,
            ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
            ...(options.binary === undefined ? {} : { binary: options.binary }),
            ...(spec.env === undefined ? {} : { env: spec.env }),
          })
        : await runClaudeCodeTui({
            baseUrl: options.proxy.url,
            apiKey: options.apiKey,
            sandbox,
            prompts: [spec.prompt, ...spec.typed],
            path: options.path,
            calls: () => forwarded(options.proxy),
            ...(options.binary === undefined ? {} : { binary: options.binary }),
          })
    sessions.push(run.result?.session_id ?? '')
    const expected = forwarded(options.proxy) - forwardedBefore
    const requests = await waitForStored(options.db, lastSeq, expected)
    result.runs.push({ args, run, requests })
    if (run.exitCode !== 0 || run.result?.is_error !== false) break
  }
  return result
}

// What the proxy forwarded upstream is what it stores; its own routes (HEAD /) are neither.
function forwarded(proxy: ProxyHarness): number {
  return proxy.mock.received.filter((r) => r.url.startsWith('/v1/')).length
}

async function maxSeq(db: Database): Promise<number> {
  const row = await db.kysely
    .selectFrom('api_requests')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}

async function waitForStored(
  db: Database,
  afterSeq: number,
  count: number,
): Promise<StoredRequest[]> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const rows = (await db.kysely
      .selectFrom('api_requests')
      .selectAll()
      .select(storedBodyColumn())
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .execute()) as unknown as Array<StoredRequest & { stored_body: unknown }>
    if (rows.length >= count) {
      return rows.map(({ stored_body, ...r }) => ({ ...r, body: stored_body, seq: Number(r.seq) }))
    }
    if (Date.now() > deadline) {
      throw new Error(`the proxy stored ${rows.length} of ${count} requests within 15 s`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Links everything stored so far. The proxy links in the background; tests call this before
 * reading the conversation columns (it waits while another linker holds the lock).
 */
export async function linkEverything(db: Database): Promise<void> {
  const store = createConversationStore(db)
  while ((await linkPending(store)).busy) await new Promise((r) => setTimeout(r, 20))
}
