import assert from 'node:assert/strict'
import { test } from 'node:test'
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
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { linkPending } from './conversation-linker.ts'
import { createConversationStore } from './conversation-store.ts'
import { LINK_FACTS_VERSION } from './link-facts.ts'
import { rebuildConversations } from './rebuild-conversations.ts'

describeEachDatabase('nexus conversations rebuild', ({ db }) => {
  const store = () => createConversationStore(db())
  const seed = async () => {
    const domain = testDomain()
    const s = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Sketch the schema.')
    const a1 = assistantMessage(text('users, carts'))
    const ids = await storeTraffic(db(), [
      {
        label: 'p1',
        domain,
        body: s.body([u1]),
        answer: text('users, carts'),
        headers: s.headers(),
      },
      {
        label: 'p2',
        domain,
        body: s.body([u1, a1, userMessage('Add orders.')]),
        answer: text('ok'),
        headers: s.headers(),
      },
      {
        label: 'q2',
        domain,
        body: s.body([u1, a1, userMessage('Drop carts.')]),
        answer: text('ok'),
        headers: s.headers(),
      },
    ])
    await linkPending(store())
    return ids
  }
  const branchOf = async (id: string) =>
    (
      await db()
        .kysely.selectFrom('api_requests')
        .select('branch_id')
        .where('request_id', '=', id)
        .executeTakeFirstOrThrow()
    ).branch_id

  test('a dry run reports what changed and writes nothing; a rebuild repairs it', async () => {
    const ids = await seed()
    const q2 = ids.get('q2')!
    await db()
      .kysely.updateTable('api_requests')
      .set({ branch_id: 'branch_9' })
      .where('request_id', '=', q2)
      .execute()
    await db()
      .kysely.updateTable('conversations')
      .set({ request_count: 1 })
      .where('conversation_id', '=', ids.get('p1')!)
      .execute()

    const progress: [number, number][] = []
    const dry = await rebuildConversations(store(), {
      dryRun: true,
      onProgress: (done, total) => progress.push([done, total]),
    })
    const total = progress[0]![1]
    assert.deepEqual(progress, [
      [0, total],
      [total, total],
    ])
    assert.deepEqual(
      { ...dry, requests: dry.requests === total },
      {
        requests: true,
        changedRequests: 1,
        requestSample: [
          {
            seq: dry.requestSample[0]!.seq,
            requestId: q2,
            before: {
              conversationId: ids.get('p1'),
              branchId: 'branch_9',
              linkKind: 'parent',
              parentRequestId: ids.get('p1'),
              isSubtask: false,
              parentTaskRequestId: null,
              requestType: 'inference',
            },
            after: {
              conversationId: ids.get('p1'),
              branchId: 'branch_1',
              linkKind: 'parent',
              parentRequestId: ids.get('p1'),
              isSubtask: false,
              parentTaskRequestId: null,
              requestType: 'inference',
            },
          },
        ],
        changedConversations: 1,
        conversationSample: [{ conversationId: ids.get('p1'), change: 'changed' }],
        committed: false,
      },
    )
    assert.equal(await branchOf(q2), 'branch_9')

    const done = await rebuildConversations(store())
    assert.equal(done.committed, true)
    assert.equal(done.changedRequests, 1)
    assert.equal(await branchOf(q2), 'branch_1')
    const again = await rebuildConversations(store(), { dryRun: true })
    assert.deepEqual([again.changedRequests, again.changedConversations], [0, 0])
  })

  test('--rehash derives hashes from the stored bodies again', async () => {
    const ids = await seed()
    await db()
      .kysely.updateTable('api_requests')
      .set({ current_message_hash: 'bogus' })
      .where('request_id', '=', ids.get('p1')!)
      .execute()

    const relinked = await rebuildConversations(store(), { dryRun: true })
    assert.deepEqual(
      relinked.requestSample.map((d) => [d.requestId, d.after.linkKind, d.after.branchId]),
      [
        [ids.get('p2'), 'root', 'main'],
        [ids.get('q2'), 'root', 'main'],
      ],
    )

    const rehashed = await rebuildConversations(store(), { rehash: true })
    assert.equal(rehashed.changedRequests, 0)
    assert.deepEqual(await linkView(db(), ids), {
      p1: ['p1', 'main', 'root', null, false, null],
      p2: ['p1', 'main', 'parent', 'p1', false, null],
      q2: ['p1', 'branch_1', 'parent', 'p1', false, null],
    })
    const hash = await sql<{
      h: string
    }>`select current_message_hash as h from api_requests where request_id = ${ids.get('p1')!}`.execute(
      db().kysely,
    )
    assert.match(hash.rows[0]!.h, /^[0-9a-f]{64}$/)
  })

  test('rows derived by an older LINK_FACTS_VERSION are derived again by a plain rebuild', async () => {
    const ids = await seed()
    await db()
      .kysely.updateTable('api_requests')
      .set({ current_message_hash: 'bogus', link_facts_version: LINK_FACTS_VERSION - 1 })
      .where('request_id', '=', ids.get('p1')!)
      .execute()

    const rebuilt = await rebuildConversations(store())
    assert.equal(rebuilt.changedRequests, 0)
    const row = await db()
      .kysely.selectFrom('api_requests')
      .select(['current_message_hash', 'link_facts_version'])
      .where('request_id', '=', ids.get('p1')!)
      .executeTakeFirstOrThrow()
    assert.match(row.current_message_hash ?? '', /^[0-9a-f]{64}$/)
    assert.equal(row.link_facts_version, LINK_FACTS_VERSION)
  })
})
