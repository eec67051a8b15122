import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, test } from 'node:test'
import type { Log } from '../log.ts'
import { PromptCatalog } from './prompt-catalog.ts'

let dir: string
const logged: string[] = []
const log: Log = {
  debug: () => {},
  info: () => {},
  warn: (m) => logged.push(m),
  error: (m) => logged.push(m),
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexus-prompts-'))
  logged.length = 0
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const prompt = (text: string) => `description: ${text}\ntemplate: "${text} {{x}}"\n`

test('a domain folder overrides shared prompts of the same name; a port falls back to the host', async () => {
  await writeFile(join(dir, 'a.yaml'), prompt('shared a'))
  await writeFile(join(dir, 'b.yaml'), prompt('shared b'))
  await mkdir(join(dir, 'team.example.com'))
  await writeFile(join(dir, 'team.example.com', 'b.yaml'), prompt('team b'))
  await writeFile(join(dir, 'team.example.com', 'c.yml'), prompt('team c'))
  const catalog = new PromptCatalog({ dir, log })
  await catalog.load()
  const names = (domain: string) =>
    catalog.forDomain(domain).list.map((p) => `${p.name}=${p.description}`)
  assert.deepEqual(names('other.example.com'), ['a=shared a', 'b=shared b'])
  assert.deepEqual(names('team.example.com'), ['a=shared a', 'b=team b', 'c=team c'])
  assert.deepEqual(names('team.example.com:3000'), ['a=shared a', 'b=team b', 'c=team c'])
  assert.equal(catalog.forDomain('team.example.com').get('b')?.render({ x: '1' }), 'team b 1')
})

test('hot reload: add, change, remove are seen within a second; a bad file is skipped', async () => {
  await writeFile(join(dir, 'a.yaml'), prompt('one'))
  const catalog = new PromptCatalog({ dir, log, pollMs: 0 })
  await catalog.start()
  try {
    let changes = 0
    catalog.onChange(() => changes++)
    const until = async (check: () => boolean, what: string) => {
      const deadline = Date.now() + 1_000
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`not within a second: ${what}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    const listed = () =>
      catalog
        .forDomain('x')
        .list.map((p) => `${p.name}=${p.description}`)
        .join(',')
    await writeFile(join(dir, 'b.yaml'), prompt('two'))
    await until(() => listed() === 'a=one,b=two', 'added')
    await writeFile(join(dir, 'a.yaml'), prompt('uno'))
    await until(() => listed() === 'a=uno,b=two', 'changed')
    await unlink(join(dir, 'b.yaml'))
    await until(() => listed() === 'a=uno', 'removed')
    await writeFile(join(dir, 'c.yaml'), 'template: [broken\n')
    await until(() => catalog.problems().length === 1, 'the bad file reported')
    assert.equal(listed(), 'a=uno')
    assert.equal(catalog.problems()[0]?.file, 'c.yaml')
    assert.match(logged.join('\n'), /prompt file skipped: c\.yaml:2: /)
    assert.ok(changes >= 3)
  } finally {
    await catalog.stop()
  }
})

test('1,000 prompts load, list and reload only what changed; a 5 MB file is skipped', async () => {
  for (let i = 0; i < 1000; i++) {
    await writeFile(join(dir, `p${String(i).padStart(4, '0')}.yaml`), prompt(`prompt ${i}`))
  }
  await writeFile(join(dir, 'huge.yaml'), `template: "${'x'.repeat(5 * 1024 * 1024)}"\n`)
  const catalog = new PromptCatalog({ dir, log })
  await catalog.load()
  const list = catalog.forDomain(undefined).list
  assert.equal(list.length, 1000)
  assert.equal(list[999]?.name, 'p0999')
  assert.deepEqual(catalog.problems(), [
    { file: 'huge.yaml', line: 0, message: 'the file is 5242893 bytes; the limit is 1048576' },
  ])
  const version = catalog.version
  await catalog.load()
  assert.equal(catalog.version, version, 'nothing changed, nothing reloaded')
  assert.equal(catalog.problems().length, 1, 'a skipped file stays reported')
})
