// Records the Claude Code fixtures: runs each scenario with the real CLI through a real proxy
// in front of the scripted model, and writes what the proxy stored to fixtures/<name>.json.
//
//   node bin/run-ts.js src/conversations/claude-code/record-fixtures.ts [--suffix=S] [scenario ...]
//
// CLAUDE_CODE_BIN runs another CLI than the dev dependency (a newer release installed outside
// the repository); --suffix=S writes fixtures/<scenario>S.json, so recordings of several
// versions sit side by side (e.g. --suffix=@2.1.332).
//
// A development tool, not part of the service: it is an entry point of its own, which is why
// it reads argv, PATH and CLAUDE_CODE_BIN itself.
import { writeFile } from 'node:fs/promises'
import {
  recognizeClaudeCodeRequest,
  requestLabel,
} from '../../../test-support/claude-code-script.ts'
import { startProxy, type ProxyHarness } from '../../../test-support/proxy-harness.ts'
import { claudeCodeVersion } from '../../../test-support/run-claude-code.ts'
import { openTestDatabase } from '../../../test-support/test-database.ts'
import type { Database } from '../../db/database.ts'
import { fixturePath, type ClaudeCodeFixture, type FixtureRequest } from './fixture.ts'
import { runScenario, type ScenarioResult, type StoredRequest } from './run-scenario.ts'
import { scenarios, tuiScenario, type ClaudeCodeScenario } from './scenarios.ts'
import { stabilize, stripIfLarge } from './stabilize.ts'

// Looks like an API key to the CLI; the proxy passes it through to the mock and stores it
// nowhere, which the recorder checks.
const FAKE_KEY = 'sk-ant-api03-nexus-fixture-0000000000000000000000000000000000000000'

/** Records one scenario through `proxy`, which stores into `db`. */
export async function recordScenario(
  scenario: ClaudeCodeScenario,
  { proxy, db, path, binary }: { proxy: ProxyHarness; db: Database; path: string; binary?: string },
): Promise<ClaudeCodeFixture> {
  const result = await runScenario(scenario, {
    proxy,
    db,
    apiKey: FAKE_KEY,
    path,
    ...(binary === undefined ? {} : { binary }),
  })
  try {
    checkRecording(scenario, result)
    const fixture: ClaudeCodeFixture = {
      scenario: scenario.name,
      summary: scenario.summary,
      claudeCodeVersion: await claudeCodeVersion(result.sandbox, binary),
      runs: result.runs.map(({ args, run }) => ({
        args,
        sessionId: run.result?.session_id ?? '',
        result: run.result?.result ?? '',
      })),
      stripped: null,
      requests: labelled(scenario, result),
    }
    return stripIfLarge(stabilize(fixture, { sandboxRoot: result.sandbox.root }))
  } finally {
    await result.sandbox.remove()
  }
}

function checkRecording(scenario: ClaudeCodeScenario, result: ScenarioResult): void {
  const problems: string[] = []
  result.runs.forEach(({ args, run }, i) => {
    if (run.exitCode !== 0 || run.result?.is_error !== false) {
      problems.push(
        `run ${i} (${args.join(' ')}) exited ${run.exitCode}: ${run.stdout}${run.stderr}`,
      )
    }
  })
  if (result.runs.length !== scenario.runs.length) problems.push('not every run happened')
  for (const entry of result.model.unscripted) problems.push(`unscripted: ${requestLabel(entry)}`)
  for (const path of result.model.unknownPaths) problems.push(`unknown path: ${path}`)
  const stored = JSON.stringify(result.runs.flatMap((r) => r.requests))
  if (stored.includes(FAKE_KEY)) problems.push('the API key was stored')
  if (problems.length > 0) throw new Error(`${scenario.name}:\n  ${problems.join('\n  ')}`)
}

function labelled(scenario: ClaudeCodeScenario, result: ScenarioResult): FixtureRequest[] {
  const agentPrompts = Object.keys(scenario.script(result.sandbox.cwd).agents ?? {})
  const seen = new Map<string, number>()
  return result.runs.flatMap(({ requests }, run) =>
    requests.map((row) => {
      const base = requestLabel(recognizeClaudeCodeRequest(requestOf(row), agentPrompts))
      const n = (seen.get(base) ?? 0) + 1
      seen.set(base, n)
      return fixtureRequest(row, n === 1 ? base : `${base} (${n})`, run)
    }),
  )
}

function requestOf(row: StoredRequest) {
  return {
    method: row.method,
    path: row.path,
    headers: row.request_headers as Record<string, string>,
    body: row.body,
  }
}

function fixtureRequest(row: StoredRequest, label: string, run: number): FixtureRequest {
  return {
    label,
    run,
    method: row.method,
    path: row.path,
    query: row.query,
    statusCode: row.status_code,
    streaming: row.is_streaming,
    requestHeaders: row.request_headers as Record<string, string>,
    body: row.body,
    response: row.response_body,
  }
}

interface RecordOptions {
  path: string
  binary: string | undefined
  suffix: string
}

async function main(names: string[], { path, binary, suffix }: RecordOptions): Promise<void> {
  const chosen =
    names.length === 0
      ? scenarios
      : [...scenarios, tuiScenario].filter((s) => names.includes(s.name))
  if (chosen.length === 0) throw new Error(`no scenario among ${names.join(', ')}`)
  // One database and proxy for all: opening and migrating PGlite is the slow part.
  const database = await openTestDatabase('pglite')
  const proxy = await startProxy(database.db)
  try {
    for (const scenario of chosen) {
      const fixture = await recordScenario(scenario, {
        proxy,
        db: database.db,
        path,
        ...(binary === undefined ? {} : { binary }),
      })
      const text = `${JSON.stringify(fixture, null, 1)}\n`
      await writeFile(fixturePath(`${scenario.name}${suffix}`), text)
      const kb = Math.round(Buffer.byteLength(text) / 1024)
      console.log(`${scenario.name}: ${fixture.requests.length} requests, ${kb} KB`)
      for (const r of fixture.requests) console.log(`  ${r.run}  ${r.method} ${r.path}  ${r.label}`)
    }
  } finally {
    await proxy.close()
    await database.close()
  }
}

if (process.argv[1]?.endsWith('record-fixtures.ts')) {
  const args = process.argv.slice(2)
  const suffix = args.find((a) => a.startsWith('--suffix='))?.slice('--suffix='.length) ?? ''
  await main(
    args.filter((a) => !a.startsWith('--')),
    {
      path: process.env.PATH ?? '/usr/bin:/bin',
      binary: process.env.CLAUDE_CODE_BIN || undefined,
      suffix,
    },
  )
}
