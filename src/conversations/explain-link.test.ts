import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  assistantMessage,
  ClaudeCodeSession,
  firstUserMessage,
  storeTraffic,
  testDomain,
  text,
  userMessage,
} from '../../test-support/conversation-traffic.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { linkPending } from './conversation-linker.ts'
import { createConversationStore } from './conversation-store.ts'
import { explainLink, formatExplanation } from './explain-link.ts'
import { findExplainSubject } from './explain-store.ts'

describeEachDatabase('conversations explain', ({ db }) => {
  async function explain(a: string, b: string) {
    const later = await findExplainSubject(db(), b)
    const earlier = await findExplainSubject(db(), a, later!.seq)
    return explainLink(earlier!, later!)
  }

  test('a second turn: the parent rule links it, and the stored links agree', async () => {
    const domain = testDomain()
    const session = new ClaudeCodeSession(domain)
    const u1 = firstUserMessage('Rename the cart module.')
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
        body: session.body([u1, assistantMessage(text('Done.')), userMessage('And the tests?')]),
        answer: text('Renamed too.'),
        headers: session.headers(),
      },
      {
        label: 'other',
        domain,
        body: session.body([firstUserMessage('Something unrelated.')]),
        answer: text('Sure.'),
        headers: session.headers(),
      },
    ])
    await linkPending(createConversationStore(db()))

    const linked = await explain(ids.get('m1')!, ids.get('m2')!)
    assert.deepEqual(
      linked.checks.map((c) => c.ok),
      [true, true, true, true],
    )
    assert.deepEqual(
      linked.rules.map((r) => [r.rule, r.verdict, r.decides]),
      [
        ['parent', 'links', true],
        ['grandparent', 'not applicable', false],
        ['compaction', 'not applicable', false],
        ['subtask', 'not applicable', false],
        ['retry', 'not applicable', false],
        ['agent', 'not applicable', false],
        ['root', 'other conversation', false],
      ],
    )
    assert.equal(linked.linked, true)
    assert.equal(linked.actual.linkKind, 'parent')
    assert.match(formatExplanation(linked), /^=> parent +links /m)

    const unrelated = await explain(ids.get('m1')!, ids.get('other')!)
    assert.equal(unrelated.linked, false)
    assert.deepEqual(
      unrelated.rules
        .filter((r) => r.verdict !== 'not applicable')
        .map((r) => [r.rule, r.verdict, r.decides]),
      [
        ['subtask', 'no match', false],
        ['retry', 'no match', false],
        ['root', 'other conversation', true],
      ],
    )
    assert.match(formatExplanation(unrelated), /B is not linked to A: it is root in conversation/)

    const backwards = await explain(ids.get('m2')!, ids.get('m1')!)
    assert.deepEqual(
      backwards.checks.filter((c) => !c.ok).map((c) => c.check),
      ['A came first'],
    )
    assert.deepEqual(backwards.rules, [])
  })

  test('requests of different domains never link', async () => {
    const first = new ClaudeCodeSession(testDomain())
    const second = new ClaudeCodeSession(testDomain())
    const u1 = firstUserMessage('Hello.')
    const ids = await storeTraffic(db(), [
      {
        label: 'a',
        domain: first.domain,
        body: first.body([u1]),
        answer: text('Hi.'),
        headers: first.headers(),
      },
      {
        label: 'b',
        domain: second.domain,
        body: second.body([u1, assistantMessage(text('Hi.')), userMessage('Next.')]),
        answer: text('Ok.'),
        headers: second.headers(),
      },
    ])
    await linkPending(createConversationStore(db()))
    const result = await explain(ids.get('a')!, ids.get('b')!)
    assert.equal(result.checks[0]!.ok, false)
    assert.equal(result.linked, false)
  })
})
