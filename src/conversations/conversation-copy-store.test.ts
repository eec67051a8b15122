import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import {
  assistantMessage,
  ClaudeCodeSession,
  firstUserMessage,
  linkView,
  storeTraffic,
  testDomain,
  text,
  userMessage,
} from '../../test-support/conversation-traffic.ts'
import {
  describeEachDatabase,
  openTestDatabase,
  type TestDatabase,
} from '../../test-support/test-database.ts'
import type { Database } from '../db/database.ts'
import { insertTokenUsage } from '../usage/token-usage-store.ts'
import { usageRecord } from '../usage/usage-test-records.ts'
import { linkPending } from './conversation-linker.ts'
import { createConversationStore } from './conversation-store.ts'
import { copyConversation } from './conversation-copy-store.ts'

describeEachDatabase('conversations copy', ({ db, backend }) => {
  let target: TestDatabase
  before(async () => {
    target = await openTestDatabase(backend)
  })
  after(async () => {
    await target.close()
  })

  async function contents(database: Database, ids: string[]) {
    const chunks = await database.kysely
      .selectFrom('streaming_chunks')
      .select(['request_id', 'chunk_index', 'data'])
      .where('request_id', 'in', ids)
      .orderBy('request_id')
      .orderBy('chunk_index')
      .execute()
    const usage = await database.kysely
      .selectFrom('token_usage')
      .select(['request_id', 'input_tokens', 'output_tokens'])
      .where('request_id', 'in', ids)
      .orderBy('request_id')
      .execute()
    const hourly = await sql<{ requests: number; input: number }>`
      select sum(requests)::int as requests, sum(input_tokens)::int as input
      from token_usage_hourly where domain = (select domain from api_requests where request_id = ${ids[0]})`.execute(
      database.kysely,
    )
    return { chunks, usage, hourly: hourly.rows[0] }
  }

  test('copies a conversation with its chunks and usage; the target links it the same way; twice is once', async () => {
    const domain = testDomain()
    const session = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Rename the cart module.')
    const turn2 = [u1, assistantMessage(text('Done.')), userMessage('And the tests?')]
    const ids = await storeTraffic(db(), [
      {
        label: 'm1',
        domain,
        body: session.body([u1]),
        answer: text('Done.'),
        headers: session.headers(),
      },
      {
        label: 'm2',
        domain,
        body: session.body(turn2),
        answer: text('Renamed.'),
        headers: session.headers(),
      },
      {
        label: 'm3',
        domain,
        body: session.body([...turn2, assistantMessage(text('Renamed.')), userMessage('Thanks.')]),
        answer: text('You are welcome.'),
        headers: session.headers(),
      },
      {
        label: 'elsewhere',
        domain,
        body: session.body([firstUserMessage('Another topic.')]),
        answer: text('Ok.'),
        headers: session.headers(),
      },
    ])
    const requestIds = ['m1', 'm2', 'm3'].map((l) => ids.get(l)!)
    await db()
      .kysely.transaction()
      .execute(async (tx) => {
        await insertTokenUsage(
          tx,
          requestIds.map((requestId) =>
            usageRecord({ requestId, domain, inputTokens: 10, outputTokens: 5 }),
          ),
        )
        await tx
          .insertInto('streaming_chunks')
          .values(
            requestIds.map((request_id, i) => ({
              request_id,
              chunk_index: 0,
              offset_ms: i,
              data: `chunk ${i}`,
            })),
          )
          .execute()
      })
    await linkPending(createConversationStore(db()))
    const sourceView = await linkView(db(), ids)
    const conversationId = ids.get('m1')!

    const progress: [number, number][] = []
    const first = await copyConversation(db(), target.db, conversationId, (done, total) =>
      progress.push([done, total]),
    )
    assert.deepEqual(first, {
      conversationId,
      requests: 3,
      copiedRequests: 3,
      copiedChunks: 3,
      copiedUsage: 3,
    })
    assert.deepEqual(progress, [[3, 3]])
    await linkPending(createConversationStore(target.db))
    const copiedIds = new Map([...ids].filter(([label]) => label !== 'elsewhere'))
    const targetView = await linkView(target.db, copiedIds)
    assert.deepEqual(targetView, {
      m1: sourceView['m1'],
      m2: sourceView['m2'],
      m3: sourceView['m3'],
    })
    const expected = await contents(db(), requestIds)
    assert.deepEqual(await contents(target.db, requestIds), expected)
    assert.deepEqual(expected.hourly, { requests: 3, input: 30 })

    const second = await copyConversation(db(), target.db, conversationId)
    assert.deepEqual(second, {
      conversationId,
      requests: 3,
      copiedRequests: 0,
      copiedChunks: 0,
      copiedUsage: 0,
    })
    assert.deepEqual(await contents(target.db, requestIds), expected)
    const missing = await target.db.kysely
      .selectFrom('api_requests')
      .select('request_id')
      .where('request_id', '=', ids.get('elsewhere')!)
      .execute()
    assert.deepEqual(missing, [])
  })

  test('an unknown conversation copies nothing', async () => {
    const report = await copyConversation(db(), target.db, '00000000-0000-4000-8000-000000000000')
    assert.equal(report.requests, 0)
  })
})
