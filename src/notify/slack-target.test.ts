import assert from 'node:assert/strict'
import { test } from 'node:test'
import { escape, turnMessage } from './slack-message.ts'
import { slackTarget, type GlobalSlack } from './slack-target.ts'
import type { TurnSummary } from './turn-summary.ts'

const global: GlobalSlack = {
  webhookUrl: 'https://hooks.slack.test/global',
  channel: '#all',
  username: 'Nexus',
  iconEmoji: ':robot_face:',
  enabled: true,
}

test('the global webhook when the domain has none', () => {
  assert.deepEqual(slackTarget(global, null), {
    webhookUrl: 'https://hooks.slack.test/global',
    channel: '#all',
    username: 'Nexus',
    iconEmoji: ':robot_face:',
  })
})

test("the domain's webhook wins, without the global channel", () => {
  assert.deepEqual(
    slackTarget(global, { webhook_url: 'https://hooks.slack.test/a', username: 'Team A' }),
    {
      webhookUrl: 'https://hooks.slack.test/a',
      channel: undefined,
      username: 'Team A',
      iconEmoji: ':robot_face:',
    },
  )
})

test('a domain that disables Slack is silent, even with a global webhook', () => {
  assert.equal(
    slackTarget(global, { webhook_url: 'https://hooks.slack.test/a', enabled: false }),
    null,
  )
})

test('nothing configured, or globally disabled: no target', () => {
  assert.equal(slackTarget({ ...global, webhookUrl: undefined }, undefined), null)
  assert.equal(slackTarget({ ...global, enabled: false }, undefined), null)
})

test("Slack's control characters are escaped", () => {
  assert.equal(
    escape('<!here> & <https://evil.test|click>'),
    '&lt;!here&gt; &amp; &lt;https://evil.test|click&gt;',
  )
})

test('long texts are cut and many tool calls summarised', () => {
  const turn: TurnSummary = {
    requestId: 'r1',
    domain: 'a.test',
    accountId: null,
    model: null,
    userText: 'u'.repeat(700),
    answerText: null,
    toolCalls: Array.from({ length: 17 }, (_, i) => `Read: /f${i}`),
    tokens: { input: 1, output: 2, cacheWrite: 0, cacheRead: 0 },
    costUsd: null,
    error: null,
  }
  const lines = turnMessage(turn, { webhookUrl: 'x' }).text.split('\n')
  assert.equal(lines[0], '*unknown model* · a.test · 1 in / 2 out')
  assert.equal(lines[1], `*User:* ${'u'.repeat(599)}…`)
  assert.equal(lines.length, 2 + 15 + 1)
  assert.equal(lines.at(-1), '• … 2 more tool calls')
})
