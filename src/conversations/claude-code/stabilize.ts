import type { ClaudeCodeFixture, FixtureRequest } from './fixture.ts'

/** Where a recording ran; these paths are replaced by fixed ones. */
export interface RecordingPlace {
  /** The sandbox directory holding `home/` and `project/`. */
  sandboxRoot: string
}

export const FIXED_SANDBOX = '/tmp/nexus-cc-fixture'
export const FIXED_DATE = '2026-01-15'
export const FIXED_HOST = '127.0.0.1:3000'
const SIZE_LIMIT = 200_000

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g
const DEVICE_ID = /\b[0-9a-f]{64}\b/g

/**
 * Replaces what differs between two recordings of the same scenario, consistently across
 * the whole fixture so that equal values stay equal: sandbox paths (also in the slug form
 * Claude Code uses for its project directory), session and other UUIDs, the device id,
 * sub-agent ids, today's date, the kernel version, sub-agent durations, the proxy's port.
 * What the linker reads — prompts, tool ids, message order — is deterministic already.
 */
export function stabilize(fixture: ClaudeCodeFixture, place: RecordingPlace): ClaudeCodeFixture {
  let text = JSON.stringify(fixture)
  text = replaceAll(text, place.sandboxRoot, FIXED_SANDBOX)
  text = replaceAll(text, slug(place.sandboxRoot), slug(FIXED_SANDBOX))
  text = numbered(text, UUID, (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`)
  text = numbered(text, DEVICE_ID, (n) => String(n).padStart(64, '0'))
  const agentIds = agentIdsOf(fixture)
  if (agentIds !== null) text = numbered(text, agentIds, (n) => `a${String(n).padStart(16, '0')}`)
  text = text.replace(/Today's date is \d{4}-\d{2}-\d{2}/g, `Today's date is ${FIXED_DATE}`)
  text = text.replace(/( - OS Version: )[^\\"]*/g, '$1Linux 6.0.0')
  text = text.replace(/duration_ms: \d+/g, 'duration_ms: 1000')
  const stable = JSON.parse(text) as ClaudeCodeFixture
  stable.requests = stable.requests.map(fixHeaders)
  return stable
}

// Sub-agent ids as the CLI sent them; they also appear in the Agent tool's result text.
function agentIdsOf(fixture: ClaudeCodeFixture): RegExp | null {
  const ids = new Set(
    fixture.requests.flatMap((r) => r.requestHeaders['x-claude-code-agent-id'] ?? []),
  )
  if (ids.size === 0) return null
  return new RegExp([...ids].map((id) => id.replace(/[^a-zA-Z0-9]/g, '\\$&')).join('|'), 'g')
}

function fixHeaders(request: FixtureRequest): FixtureRequest {
  const headers = { ...request.requestHeaders }
  if (headers.host !== undefined) headers.host = FIXED_HOST
  if (headers['content-length'] !== undefined && request.body !== null) {
    headers['content-length'] = String(Buffer.byteLength(JSON.stringify(request.body)))
  }
  return { ...request, requestHeaders: headers }
}

/**
 * Keeps a fixture under 200 KB by replacing tool descriptions (Claude Code sends ~60 KB of
 * them with every request) with their length. Names and input schemas stay; descriptions do
 * not take part in linking.
 */
export function stripIfLarge(fixture: ClaudeCodeFixture): ClaudeCodeFixture {
  if (JSON.stringify(fixture).length <= SIZE_LIMIT) return fixture
  const requests = fixture.requests.map((r) => ({ ...r, body: stripToolDescriptions(r.body) }))
  return {
    ...fixture,
    stripped:
      'tool descriptions (top level and inside input schemas), replaced by "[stripped: N chars]"',
    requests,
  }
}

function stripToolDescriptions(body: unknown): unknown {
  if (!isRecord(body) || !Array.isArray(body.tools)) return body
  return { ...body, tools: body.tools.map(stripDescriptions) }
}

function stripDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDescriptions)
  if (!isRecord(value)) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === 'description' && typeof v === 'string'
        ? `[stripped: ${v.length} chars]`
        : stripDescriptions(v),
    ]),
  )
}

function numbered(text: string, pattern: RegExp, name: (n: number) => string): string {
  const seen = new Map<string, string>()
  return text.replace(pattern, (value) => {
    let fixed = seen.get(value)
    if (fixed === undefined) {
      fixed = name(seen.size + 1)
      seen.set(value, fixed)
    }
    return fixed
  })
}

function replaceAll(text: string, from: string, to: string): string {
  return from === '' ? text : text.split(from).join(to)
}

// Claude Code names a project's directory under ~/.claude/projects after its path this way.
function slug(path: string): string {
  return path.replace(/[^a-zA-Z0-9]/g, '-')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
