import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One request as the proxy stored it during a recording. */
export interface FixtureRequest {
  /** Stable name from the scripted model, e.g. `main "List the files." #1`; unique per fixture. */
  label: string
  /** Which CLI invocation of the scenario sent it (0-based). */
  run: number
  method: string
  path: string
  query: string | null
  statusCode: number | null
  streaming: boolean
  /** As stored: secrets already `[redacted]`. */
  requestHeaders: Record<string, string>
  body: unknown
  response: unknown
}

export interface ClaudeCodeFixture {
  scenario: string
  summary: string
  claudeCodeVersion: string
  /** The CLI invocations, with the session id and answer each reported. */
  runs: Array<{ args: string[]; sessionId: string; result: string }>
  /** What was left out to keep the file small, or null. */
  stripped: string | null
  requests: FixtureRequest[]
}

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')

export function fixturePath(scenario: string): string {
  return join(fixturesDir, `${scenario}.json`)
}

export function loadFixture(scenario: string): ClaudeCodeFixture {
  return JSON.parse(readFileSync(fixturePath(scenario), 'utf8')) as ClaudeCodeFixture
}

/**
 * A request as a client (or gateway) that names no session would send it: without the
 * `x-claude-code-session-id` header and `metadata.user_id`. The agent id header stays: it
 * names a sub-agent, not a session.
 */
export function withoutSession(request: FixtureRequest): FixtureRequest {
  const copy = structuredClone(request)
  delete copy.requestHeaders['x-claude-code-session-id']
  const body = copy.body as { metadata?: Record<string, unknown> } | null
  if (body?.metadata) delete body.metadata.user_id
  return copy
}

/** The whole recording without session evidence (see withoutSession). */
export function fixtureWithoutSession(fixture: ClaudeCodeFixture): ClaudeCodeFixture {
  return { ...fixture, requests: fixture.requests.map(withoutSession) }
}
