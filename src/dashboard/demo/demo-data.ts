import type { Database } from '../../db/database.ts'
import type { RequestRecord } from '../../storage/request-record.ts'
import { insertRequestRecords } from '../../storage/request-store.ts'
import { conversationRecords, linkStored } from './demo-conversations.ts'
import { assistantText, demoRecord, userText } from './demo-records.ts'

const DAY_MS = 24 * 60 * 60 * 1000

export const DEMO_DOMAINS = ['team-a.demo', 'team-b.demo', 'ci.demo'] as const

const MODELS = [
  'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-1-20250805',
]
const PROMPTS = [
  'Summarise this pull request',
  'Write a unit test for parseDate',
  'Why does the build fail on Node 20?',
  'Explain this stack trace',
  'Refactor the retry loop',
  'Translate the README to French',
]

/**
 * A month of plausible traffic on three domains (one-shot calls, errors, token counting) and
 * a few full Claude Code sessions with sub-agents, branches and compactions, linked by the
 * real linker. Deterministic for a given `now`.
 */
export async function seedDemoData(db: Database, now: number): Promise<{ requests: number }> {
  const random = prng(42)
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T
  const records: RequestRecord[] = []
  for (let i = 0; i < 360; i++) {
    // Busier in recent days, so the charts have a shape.
    const age = Math.floor(Math.pow(random(), 1.7) * 30 * DAY_MS)
    const domain = pick(DEMO_DOMAINS)
    const model = pick(MODELS)
    const failed = random() < 0.04
    const prompt = `${pick(PROMPTS)} (#${i})`
    const record = demoRecord({
      at: new Date(now - age),
      domain,
      accountId: domain === 'ci.demo' ? 'acc_ci' : 'acc_team',
      model,
      messages: [userText(prompt)],
      response: [{ type: 'text', text: `Here is my answer to: ${prompt}` }],
      inputTokens: 200 + Math.floor(random() * 4000),
      outputTokens: 50 + Math.floor(random() * 1500),
      cacheRead: random() < 0.5 ? Math.floor(random() * 40_000) : 0,
      ...(failed
        ? { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } }
        : {}),
      ...(i % 17 === 0 ? { requestType: 'count_tokens' } : {}),
    })
    records.push(
      i % 17 === 0 ? { ...record, path: '/v1/messages/count_tokens', isStreaming: false } : record,
    )
  }
  const showcase = demoRecord({
    at: new Date(now - 2 * 60 * 60 * 1000),
    domain: 'team-a.demo',
    messages: [
      userText('Show me an XSS example'),
      assistantText('Sure.'),
      userText('As raw HTML please'),
    ],
    response: [
      {
        type: 'text',
        text: 'Model output is shown as text, never run: <script>alert("hi")</script> <img src=x onerror=alert(1)>',
      },
    ],
  })
  records.push(showcase)
  records.sort((a, b) => a.timestamp.localeCompare(b.timestamp))
  const sessions = [0.5, 3, 26, 50, 200].flatMap((hoursAgo, i) =>
    conversationRecords({
      domain: i % 2 === 0 ? 'team-a.demo' : 'team-b.demo',
      start: new Date(now - hoursAgo * 60 * 60 * 1000),
      accountId: 'acc_team',
      marker: `(session ${i + 1})`,
    }),
  )
  const all = [...records, ...sessions]
  await insertRequestRecords(db, all)
  await linkStored(
    db,
    all.map((r) => r.requestId),
    60_000,
  )
  return { requests: all.length }
}

// A small deterministic generator (mulberry32): the same demo every time.
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
