import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Database } from '../src/db/database.ts'
import { requestAnalysis } from '../src/analysis/analysis-store.ts'

/** A Claude Code-like history of `turns` user/assistant turns with tool calls. */
export function benchHistory(turns: number): unknown[] {
  const history: unknown[] = []
  for (let i = 0; i < turns; i++) {
    history.push({
      role: 'user',
      content: `Step ${i}: please change file src/mod-${i}.ts and run the tests (mail ops@example.com)`,
    })
    history.push({
      role: 'assistant',
      content: [
        { type: 'text', text: `Done with step ${i}; the tests pass.` },
        {
          type: 'tool_use',
          id: `toolu_${i}`,
          name: 'Bash',
          input: { command: `npm test -- mod-${i}` },
        },
      ],
    })
  }
  return history
}

/**
 * One conversation with `branches` branches of one request each (its body carries `turns`
 * turns of history), and an analysis job queued for every branch.
 */
export async function queueBranchAnalyses(
  db: Database,
  options: { branches: number; turns: number; domain: string },
): Promise<void> {
  const conversationId = randomUUID()
  const history = benchHistory(options.turns)
  const body = JSON.stringify({ messages: history.slice(0, -1) })
  const answer = JSON.stringify(history.at(-1))
  const now = Date.now()
  const rows = Array.from({ length: options.branches }, (_, i) => ({
    request_id: i === 0 ? conversationId : randomUUID(),
    timestamp: new Date(now - (options.branches - i) * 1000).toISOString(),
    domain: options.domain,
    method: 'POST',
    path: '/v1/messages',
    request_type: 'inference',
    conversation_id: conversationId,
    branch_id: `b${i}`,
    message_count: history.length - 1,
    body,
    response_body: answer,
  }))
  // The proxy's linker runs in the same process: the rows arrive already linked (one
  // transaction moves its mark past them), so it neither relinks them nor makes their conversation.
  await db.kysely.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 200)
      await trx
        .insertInto('api_requests')
        .values(rows.slice(i, i + 200))
        .execute()
    await trx
      .insertInto('conversations')
      .values({
        conversation_id: conversationId,
        domain: options.domain,
        account_id: null,
        started_at: new Date(),
        last_at: new Date(),
        request_count: options.branches,
        message_count: history.length,
        total_tokens: 0,
        models: [],
        branch_count: options.branches,
        compact_count: 0,
        spawn_count: 0,
        subtask_count: 0,
      })
      .execute()
    await sql`update conversation_link_state
      set linked_through = greatest(linked_through, (select max(seq) from api_requests))`.execute(
      trx,
    )
  })
  for (let i = 0; i < options.branches; i++) {
    const key = { conversationId, branchId: `b${i}`, domain: options.domain }
    await requestAnalysis(db, key, null, new Date(0))
  }
}
