import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { linkPending } from '../conversations/conversation-linker.ts'
import { createConversationStore } from '../conversations/conversation-store.ts'
import {
  assistantMessage,
  ClaudeCodeSession,
  firstUserMessage,
  storeTraffic,
  testDomain,
  text,
  userMessage,
} from '../../test-support/conversation-traffic.ts'
import { newPlace, type Place } from '../../test-support/fresh-database.ts'
import { runNexus } from '../../test-support/nexus-process.ts'
import { testBackends } from '../../test-support/test-database.ts'

for (const backend of testBackends) {
  describe(`nexus conversations explain / copy [${backend}]`, () => {
    let root: string
    let source: Place
    let target: Place
    let ids: Map<string, string>
    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'nexus-conv-cli-'))
      source = await newPlace(backend, root)
      target = await newPlace('postgres', root)
      const db = await source.open()
      try {
        const domain = testDomain()
        const session = new ClaudeCodeSession(domain)
        const u1 = firstUserMessage('Rename the cart module.')
        ids = await storeTraffic(db, [
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
            body: session.body([u1, assistantMessage(text('Done.')), userMessage('Tests?')]),
            answer: text('Renamed.'),
            headers: session.headers(),
          },
        ])
        await linkPending(createConversationStore(db))
      } finally {
        await db.close()
      }
    })
    after(async () => {
      await source.drop()
      await target.drop()
      await rm(root, { recursive: true, force: true })
    })

    test('explain prints each rule and its verdict; --json for scripts', async () => {
      const args = ['conversations', 'explain', ids.get('m1')!, ids.get('m2')!]
      const plain = await runNexus(args, source.env)
      assert.equal(plain.code, 0, plain.stderr)
      assert.match(plain.stdout, /^=> parent +links /m)
      assert.match(plain.stdout, /^B is linked to A: parent in conversation /m)
      const json = await runNexus([...args, '--json'], source.env)
      const parsed = JSON.parse(json.stdout) as { linked: boolean; rules: { rule: string }[] }
      assert.equal(parsed.linked, true)
      assert.equal(parsed.rules.length, 7)

      const unknown = await runNexus(
        ['conversations', 'explain', ids.get('m1')!, '00000000-0000-4000-8000-000000000000'],
        source.env,
      )
      assert.equal(unknown.code, 3)
      const bad = await runNexus(['conversations', 'explain', 'x', 'y'], source.env)
      assert.equal(bad.code, 2)
    })

    test('copy to another database, twice: the second run copies nothing', async () => {
      const url = target.env['DATABASE_URL']!
      const args = ['conversations', 'copy', ids.get('m1')!, '--to', url, '--json']
      const first = await runNexus(args, source.env)
      assert.equal(first.code, 0, first.stderr)
      assert.deepEqual(JSON.parse(first.stdout), {
        conversationId: ids.get('m1'),
        requests: 2,
        copiedRequests: 2,
        copiedChunks: 0,
        copiedUsage: 0,
        linkedByAnotherProcess: false,
      })
      const second = await runNexus(args, source.env)
      assert.equal(second.code, 0, second.stderr)
      assert.equal((JSON.parse(second.stdout) as { copiedRequests: number }).copiedRequests, 0)

      const explained = await runNexus(
        ['conversations', 'explain', ids.get('m1')!, ids.get('m2')!, '--json'],
        target.env,
      )
      assert.equal((JSON.parse(explained.stdout) as { linked: boolean }).linked, true)

      const missing = await runNexus(
        ['conversations', 'copy', '00000000-0000-4000-8000-000000000000', '--to', url],
        source.env,
      )
      assert.equal(missing.code, 3)
      assert.match(missing.stderr, /No conversation/)
    })
  })
}
