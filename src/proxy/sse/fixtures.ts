import { readdirSync, readFileSync } from 'node:fs'

// Recorded Anthropic Messages streams, byte for byte as upstream sends them. Tests replay
// them through the decoder and through mock upstream servers.
const FIXTURES_DIR = new URL('./fixtures/', import.meta.url)
const FIXTURE_NAME = /^[a-z0-9][a-z0-9-]*$/

/** Names of the recorded transcripts (`text`, `thinking-tool-use`…), sorted. */
export function listSseFixtures(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.sse'))
    .map((file) => file.slice(0, -'.sse'.length))
    .sort()
}

/** The raw bytes of one transcript; `name` as `listSseFixtures()` gives it, `.sse` optional. */
export function readSseFixture(name: string): Buffer {
  const base = name.endsWith('.sse') ? name.slice(0, -'.sse'.length) : name
  if (!FIXTURE_NAME.test(base)) throw new Error(`not an SSE fixture name: ${name}`)
  return readFileSync(new URL(`${base}.sse`, FIXTURES_DIR))
}
