import assert from 'node:assert/strict'
import { test } from 'node:test'
import { safeNextPath } from './middleware.ts'

test('after login only same-site paths are followed', () => {
  assert.equal(safeNextPath('/requests?q=a%20b'), '/requests?q=a%20b')
  assert.equal(safeNextPath('/conversations/abc'), '/conversations/abc')
  for (const hostile of [
    undefined,
    '',
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil',
    '/\t/evil.example',
    '/\n/evil.example',
    '/ /evil',
    'javascript:alert(1)',
  ]) {
    assert.equal(safeNextPath(hostile), '/', String(hostile))
  }
})
