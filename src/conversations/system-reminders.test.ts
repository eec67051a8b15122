// node:test tracks the promises describe/it return; eslint.config.js does not know that yet.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { stripSystemReminders } from './system-reminders.ts'

describe('stripSystemReminders', () => {
  it('removes every reminder, multi-line ones included', () => {
    const text =
      '<system-reminder>\nToday is Monday.\n</system-reminder>\nFix the bug.<system-reminder>x</system-reminder>'
    assert.equal(stripSystemReminders(text), '\nFix the bug.')
  })

  it('does not swallow the text between two reminders', () => {
    const text = '<system-reminder>a</system-reminder>keep me<system-reminder>b</system-reminder>'
    assert.equal(stripSystemReminders(text), 'keep me')
  })

  it('leaves an unclosed tag alone', () => {
    assert.equal(stripSystemReminders('<system-reminder> no end'), '<system-reminder> no end')
  })
})
