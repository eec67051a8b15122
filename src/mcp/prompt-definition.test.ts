import assert from 'node:assert/strict'
import { test } from 'node:test'
import { missingArguments, parsePromptFile, promptNameOf } from './prompt-definition.ts'
import { GREET_YAML } from './test-support.ts'

test('a prompt file: name from the file, arguments declared, template rendered as plain text', () => {
  const parsed = parsePromptFile('greet.yaml', GREET_YAML)
  assert.ok(parsed.ok)
  const { prompt } = parsed
  assert.equal(prompt.name, 'greet')
  assert.equal(prompt.description, 'Greets someone')
  assert.deepEqual(prompt.arguments, [
    { name: 'who', description: 'the person to greet', required: true },
    { name: 'tone', description: 'how', required: false },
  ])
  assert.equal(
    prompt.render({ who: '<script>"x"</script>' }),
    'Say hello to <script>"x"</script>. Keep <b>&</b> as is.',
  )
  assert.deepEqual(missingArguments(prompt, { tone: 'x' }), ['who'])
  assert.deepEqual(missingArguments(prompt, { who: '' }), [])
})

test('problems name the file and the line', () => {
  const cases: [string, string, number, RegExp][] = [
    ['a.yaml', 'description: x\ntemplate: [oops\n', 3, /./],
    ['b.yaml', 'description: x\n', 1, /^template: /],
    [
      'c.yaml',
      'template: hi\narguments:\n  - name: ok\n  - name: "bad name"\n',
      4,
      /^arguments\.1\.name: must be a word/,
    ],
    ['d.yaml', 'description: x\ntemplate: "{{#each items}}"\n', 2, /^template: Parse error/],
    [
      'e.yaml',
      'template: "{{lookup . \'constructor\'}} {{helperMissing}} {{custom x}}"\n',
      1,
      /^template: You specified knownHelpersOnly/,
    ],
    ['f.yaml', 'template: x\narguments:\n  - name: a\n  - name: a\n', 4, /declared twice/],
    ['bad name!.yaml', 'template: x\n', 0, /file name must be a prompt name/],
    ['g.yaml', '- just\n- a list\n', 1, /expected object/],
  ]
  for (const [file, text, line, message] of cases) {
    const parsed = parsePromptFile(file, text)
    assert.ok(!parsed.ok, file)
    assert.equal(parsed.problem.file, file)
    assert.equal(parsed.problem.line, line, `${file}: ${parsed.problem.message}`)
    assert.match(parsed.problem.message, message, file)
  }
})

test('templates cannot reach prototypes or write logs', () => {
  const parsed = parsePromptFile(
    'p.yaml',
    'template: "[{{constructor}}][{{__proto__}}][{{who.constructor.name}}]"\n',
  )
  assert.ok(parsed.ok)
  assert.equal(parsed.prompt.render({ who: 'x' }), '[][][]')
  const logged = parsePromptFile('l.yaml', 'template: "{{log who}}"\n')
  assert.ok(!logged.ok)
})

test('prompt names come from .yaml and .yml files only', () => {
  assert.equal(promptNameOf('review.yaml'), 'review')
  assert.equal(promptNameOf('review.yml'), 'review')
  assert.equal(promptNameOf('review.json'), undefined)
  assert.equal(promptNameOf('.review.yaml.abc.tmp'), undefined)
})
