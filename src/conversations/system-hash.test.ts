// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TextBlock } from '../anthropic-types.ts'
import { fixtures } from './fixtures/index.ts'
import { hashSystemPrompt } from './system-hash.ts'

function mainSystem(): TextBlock[] {
  const { system } = fixtures.mainTurn1()
  assert.ok(Array.isArray(system))
  return system
}

function editLast(system: TextBlock[], edit: (text: string) => string): TextBlock[] {
  const last = system.at(-1)
  assert.ok(last !== undefined)
  return [...system.slice(0, -1), { ...last, text: edit(last.text) }]
}

describe('hashSystemPrompt', () => {
  it('is SHA-256 hex of the stable text', () => {
    assert.equal(
      hashSystemPrompt('You are a helpful assistant.'),
      '75357d685f238b6afd7738be9786fdafde641eb6ca9a3be7471939715a68a4de',
    )
  })

  it('is null without a system prompt', () => {
    assert.equal(hashSystemPrompt(undefined), null)
    assert.equal(hashSystemPrompt(''), null)
    assert.equal(hashSystemPrompt([]), null)
    assert.equal(
      hashSystemPrompt([
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.80; cch=1;' },
      ]),
      null,
    )
  })

  it('ignores the billing header and cache_control between turns', () => {
    const second = fixtures.mainTurn2().system
    assert.ok(Array.isArray(second))
    const withoutCache = second.map(({ type, text }) => ({ type, text }))
    assert.equal(hashSystemPrompt(second), hashSystemPrompt(mainSystem()))
    assert.equal(hashSystemPrompt(withoutCache), hashSystemPrompt(mainSystem()))
  })

  it('ignores a new git status snapshot', () => {
    const changed = editLast(mainSystem(), (text) =>
      text
        .replace('Current branch: feature/cart-discount', 'Current branch: main')
        .replace('M src/cart.ts\n?? notes.md', '(clean)')
        .replace('a1b2c3d add cart totals', 'b7e6f5a add discount'),
    )
    assert.equal(hashSystemPrompt(changed), hashSystemPrompt(mainSystem()))
  })

  it('ignores the date and the model line in the environment block', () => {
    const { system } = fixtures.subagentTurn1()
    assert.ok(Array.isArray(system))
    const nextDay = editLast(system, (text) =>
      text
        .replace("Today's date: 2026-03-07", "Today's date: 2026-03-08")
        .replace(
          'Haiku 4.5. The exact model ID is claude-haiku-4-5-20251001',
          'Sonnet 4.6. The exact model ID is claude-sonnet-4-6',
        ),
    )
    assert.equal(hashSystemPrompt(nextDay), hashSystemPrompt(system))
  })

  it('ignores reminders, block boundaries and whitespace', () => {
    const blocks: TextBlock[] = [
      { type: 'text', text: 'You are Claude Code.' },
      { type: 'text', text: 'Be concise.<system-reminder>plan mode</system-reminder>' },
    ]
    assert.equal(hashSystemPrompt(blocks), hashSystemPrompt('You are Claude Code.\n  Be concise.'))
  })

  it('changes when the instructions change', () => {
    const changed = editLast(mainSystem(), (text) =>
      text.replace('Use the Agent tool', 'Never use the Agent tool'),
    )
    assert.notEqual(hashSystemPrompt(changed), hashSystemPrompt(mainSystem()))
  })

  it('changes with the working directory, which tells projects apart', () => {
    const otherProject = editLast(mainSystem(), (text) =>
      text.replace('/home/dev/shop-api', '/home/dev/blog'),
    )
    assert.notEqual(hashSystemPrompt(otherProject), hashSystemPrompt(mainSystem()))
  })

  it('remembers a prompt by all of its texts, never confusing two that join alike', () => {
    const fresh = (texts: string[]) =>
      hashSystemPrompt(texts.map((text): TextBlock => ({ type: 'text', text })))
    const joined = fresh(['first\u0000second'])
    const split = fresh(['first', 'second'])
    assert.equal(split, hashSystemPrompt('first second'))
    assert.notEqual(joined, split)
    assert.equal(fresh(['first\u0000second']), joined)
  })

  it('counts role:system entries in messages as system prompt', () => {
    assert.equal(
      hashSystemPrompt(undefined, [{ role: 'system', content: 'You are a helpful assistant.' }]),
      hashSystemPrompt('You are a helpful assistant.'),
    )
    assert.equal(
      hashSystemPrompt('You are Claude Code.', [{ role: 'user', content: 'hi' }]),
      hashSystemPrompt('You are Claude Code.'),
    )
  })
})
