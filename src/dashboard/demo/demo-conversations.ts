import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { linkPending } from '../../conversations/conversation-linker.ts'
import { createConversationStore } from '../../conversations/conversation-store.ts'
import type { Database } from '../../db/database.ts'
import type { RequestRecord } from '../../storage/request-record.ts'
import { insertRequestRecords } from '../../storage/request-store.ts'
import {
  assistantText,
  demoRecord,
  toolCall,
  toolResult,
  userText,
  type RecordInput,
} from './demo-records.ts'

export interface SeededConversation {
  conversationId: string
  /** In arrival order: main ×3, sub-agent ×2, branch, main, compaction. */
  requestIds: string[]
  domain: string
}

/**
 * Stores one Claude Code-like session (tool calls, a sub-agent, an edited prompt that
 * branches, a compaction) and has the real linker (src/conversations) link it, as live
 * traffic would be: a main line, `subtask_1`, `branch_1` and `compact_1`.
 */
export async function seedConversation(
  db: Database,
  input: { domain: string; start: Date; accountId?: string; model?: string; marker?: string },
): Promise<SeededConversation> {
  const records = conversationRecords(input)
  await insertRequestRecords(db, records)
  await linkStored(
    db,
    records.map((r) => r.requestId),
  )
  const ids = records.map((r) => r.requestId)
  const row = await db.kysely
    .selectFrom('api_requests')
    .select('conversation_id')
    .where('request_id', '=', ids[0] as string)
    .executeTakeFirstOrThrow()
  return { conversationId: row.conversation_id as string, requestIds: ids, domain: input.domain }
}

/** The records of one session, in the order a client would send them. */
export function conversationRecords(input: {
  domain: string
  start: Date
  accountId?: string
  model?: string
  marker?: string
}): RequestRecord[] {
  const t = (minutes: number) => new Date(input.start.getTime() + minutes * 60_000)
  const session = randomUUID()
  const agent = randomUUID()
  const base = {
    domain: input.domain,
    accountId: input.accountId ?? 'acc_demo',
    model: input.model ?? 'claude-sonnet-4-5-20250929',
    system: 'You are Claude Code, an interactive CLI tool. Working directory: /work/app',
    requestHeaders: { 'x-claude-code-session-id': session },
  }
  const sub = {
    ...base,
    model: 'claude-haiku-4-5-20251001',
    requestHeaders: { 'x-claude-code-session-id': session, 'x-claude-code-agent-id': agent },
  }
  const ask = userText(`Fix the failing date test in utils ${input.marker ?? ''}`.trim(), true)
  const bash = {
    type: 'tool_use',
    id: 'toolu_01',
    name: 'Bash',
    input: { command: 'npm test -- utils' },
  }
  const read = {
    type: 'tool_use',
    id: 'toolu_02',
    name: 'Read',
    input: { file_path: '/work/app/utils/date.ts' },
  }
  const spawn = {
    type: 'tool_use',
    id: 'toolu_03',
    name: 'Agent',
    input: { description: 'Search for callers', prompt: 'Find every caller of addDays' },
  }
  const call1 = toolCall(
    bash.id,
    bash.name,
    bash.input,
    'The user wants the test fixed; run it first.',
  )
  const result1 = toolResult(
    bash.id,
    'FAIL utils/date.test.ts\n  expected 2024-02-29, got 2024-03-01',
  )
  const call2 = toolCall(read.id, read.name, read.input)
  const result2 = toolResult(
    read.id,
    'export function addDays(d, n) { return new Date(d.getTime() + n * 864e5) }',
  )
  const prompt = userText('Find every caller of addDays')
  const r = (over: Omit<RecordInput, 'domain'>, b: typeof base = base) =>
    demoRecord({ ...b, ...over })
  return [
    r({
      at: t(0),
      messages: [ask],
      response: [{ type: 'text', text: 'Running the tests first.' }, bash],
      outputTokens: 60,
      cacheWrite: 9000,
    }),
    r({
      at: t(1),
      messages: [ask, call1, result1],
      response: [{ type: 'text', text: 'Reading the helper.' }, read],
      cacheRead: 9000,
    }),
    r({
      at: t(2),
      messages: [ask, call1, result1, call2, result2],
      response: [{ type: 'text', text: 'I will ask a sub-agent for callers.' }, spawn],
      cacheRead: 9400,
    }),
    r({ at: t(3), messages: [prompt], response: [{ type: 'text', text: 'Searching.' }] }, sub),
    r(
      {
        at: t(4),
        messages: [prompt, assistantText('Searching.'), userText('continue')],
        response: [{ type: 'text', text: 'Callers: a.ts, b.ts, c.ts' }],
      },
      sub,
    ),
    r({
      at: t(5),
      messages: [ask, call1, result1, userText('Actually, just skip that test')],
      response: [{ type: 'text', text: 'Skipped it with test.skip.' }],
      cacheRead: 9000,
    }),
    r({
      at: t(6),
      messages: [
        ask,
        call1,
        result1,
        call2,
        result2,
        assistantText('A sub-agent found the callers.'),
        userText('Use UTC arithmetic'),
      ],
      response: [{ type: 'text', text: 'Switched addDays to UTC; the test passes.' }],
      cacheRead: 9800,
      outputTokens: 420,
    }),
    r({
      at: t(30),
      messages: [
        userText(
          'This session is being continued from a previous conversation that ran out of context. The summary below covers the earlier portion of the conversation.\n\n' +
            `Fixed addDays to use UTC. Transcript: /root/.claude/projects/app/${session}.jsonl`,
        ),
        userText('Now add a changelog entry'),
      ],
      response: [{ type: 'text', text: 'Added to CHANGELOG.md.' }],
    }),
  ]
}

/**
 * Links stored requests with the linker (in this process, or waits while another process's
 * linker holds the lock) until every one of `requestIds` has been linked.
 */
export async function linkStored(
  db: Database,
  requestIds: readonly string[],
  timeoutMs = 15_000,
): Promise<void> {
  const store = createConversationStore(db)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await linkPending(store)
    // Linked (or found not linkable) means at or below the linker's mark.
    const r = await sql<{ n: number }>`select count(*)::int as n from api_requests
      where request_id in (${sql.join(requestIds)})
        and seq > (select linked_through from conversation_link_state)`.execute(db.kysely)
    if ((r.rows[0]?.n ?? 0) === 0) return
    if (Date.now() > deadline)
      throw new Error('the conversation linker did not link the seeded requests in time')
    await new Promise((res) => setTimeout(res, 50))
  }
}
