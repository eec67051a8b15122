// Test support: the request bodies recorded in fixtures, for the storage round-trip tests.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixturesDir } from '../conversations/claude-code/fixture.ts'

const conversationFixtures = join(fixturesDir, '..', '..', 'fixtures')

/** Every request body recorded under src/conversations/**\/fixtures, as compact JSON text. */
export function recordedBodies(): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = []
  for (const file of readdirSync(fixturesDir).filter((f) => f.endsWith('.json'))) {
    const fixture = JSON.parse(readFileSync(join(fixturesDir, file), 'utf8')) as {
      requests: Array<{ label: string; body: unknown }>
    }
    for (const r of fixture.requests) {
      if (r.body !== null) out.push({ name: `${file} ${r.label}`, text: JSON.stringify(r.body) })
    }
  }
  for (const file of readdirSync(conversationFixtures).filter((f) => f.endsWith('.json'))) {
    const text = readFileSync(join(conversationFixtures, file), 'utf8')
    out.push({ name: file, text })
    const parsed = JSON.parse(text) as Record<string, unknown>
    if (!Array.isArray(parsed.messages)) {
      for (const [key, value] of Object.entries(parsed)) {
        out.push({ name: `${file} ${key}`, text: JSON.stringify(value) })
      }
    }
  }
  return out
}
