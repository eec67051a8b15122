import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import Anthropic from '@anthropic-ai/sdk'
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { describeEachDatabase } from '../../test-support/test-database.ts'
import { countRows, startProxy, type ProxyHarness } from '../../test-support/proxy-harness.ts'
import { sseForMessage, textMessage, type MockReply } from '../../test-support/mock-anthropic.ts'

// Every planted secret has a random part that must appear nowhere at rest.
const r = () => randomBytes(15).toString('hex')

function plant() {
  return {
    clientKey: `sk-ant-api03-${r()}`,
    admin: `sk-ant-admin01-${r()}`,
    oauth: `sk-ant-oat01-${r()}`,
    cnp: `cnp_live_${r()}`,
    lowerBearer: r(),
    refresh: r(),
    customToken: r(),
    customBearer: r(),
    customAnt: `sk-ant-api03-${r()}`,
    query: r(),
    escaped: r(),
    streamWhole: `sk-ant-api03-${r()}`,
    streamSplit: `sk-ant-api03-${r()}`,
    upstreamError: `sk-ant-api03-${r()}`,
  }
}
type Planted = ReturnType<typeof plant>

const secretPart = (s: string) => s.replace(/^(sk-ant-[a-z0-9]+-|cnp_live_)/, '')

// The mock answers by a marker in the prompt: a stream with a key whole inside one event, a
// stream with a key cut across two events, or an upstream error quoting a key.
function mockReplies(p: Planted) {
  return (_req: unknown, body: unknown): MockReply | undefined => {
    const text = JSON.stringify(body)
    const sse = (answer: string): MockReply => ({
      kind: 'sse',
      stream: Buffer.from(sseForMessage(textMessage('claude-haiku-4-5', answer))),
    })
    // sseForMessage sends the text in two halves: padding keeps this key in the second.
    if (text.includes('STREAM_WHOLE')) return sse(`${'x'.repeat(200)} ${p.streamWhole}`)
    if (text.includes('STREAM_SPLIT')) return sse(`key ${p.streamSplit} end`)
    if (text.includes('UPSTREAM_ERROR')) {
      return {
        kind: 'json',
        status: 401,
        body: {
          type: 'error',
          error: { type: 'authentication_error', message: `invalid x-api-key ${p.upstreamError}` },
        },
      }
    }
    return undefined
  }
}

async function sendWithSdk(h: ProxyHarness, p: Planted) {
  const client = new Anthropic({ apiKey: p.clientKey, baseURL: h.url, maxRetries: 0 })
  await client.messages.create(
    {
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      system: `oauth token ${p.oauth}`,
      messages: [
        {
          role: 'user',
          content: `admin ${p.admin}, client ${p.cnp}, authorization: bearer ${p.lowerBearer}, {"refresh_token": "${p.refresh}"}`,
        },
      ],
    },
    {
      headers: {
        'x-team-token': p.customToken,
        'x-note': `Bearer ${p.customBearer}`,
        'x-trace': p.customAnt,
      },
      query: { beta: 'true', key: p.query },
    },
  )
  const stream = client.messages.stream({
    model: 'claude-haiku-4-5',
    max_tokens: 10,
    messages: [{ role: 'user', content: 'STREAM_WHOLE' }],
  })
  await stream.finalMessage()
}

async function sendRaw(h: ProxyHarness, p: Planted) {
  const post = (body: string) =>
    fetch(`${h.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': p.clientKey },
      body,
    })
  const escapedKey = `sk\\u002dant\\u002dapi03\\u002d${p.escaped}`
  const statuses = [
    await post(
      `{"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"${escapedKey}"}]}`,
    ),
    await post(
      JSON.stringify({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'STREAM_SPLIT' }],
      }),
    ),
    await post(
      JSON.stringify({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'UPSTREAM_ERROR' }],
      }),
    ),
  ]
  for (const res of statuses) await res.arrayBuffer()
  return statuses.map((res) => res.status)
}

async function dumpEveryTable(db: Database): Promise<string> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db.kysely)
  const parts: string[] = []
  for (const { name } of tables.rows) {
    const rows = await sql<{
      row: string
    }>`select t::text as row from ${sql.table(name)} t`.execute(db.kysely)
    parts.push(...rows.rows.map((x) => x.row))
  }
  return parts.join('\n')
}

async function readSpool(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'spool')
  const names = await readdir(dir)
  const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))
  return texts.join('\n')
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function assertNoSecret(text: string, p: Planted, where: string) {
  for (const [kind, value] of Object.entries(p)) {
    // Halves too: a key cut in two must not be stored in pieces either.
    const part = secretPart(value)
    for (const piece of [part, part.slice(0, 15), part.slice(-15)]) {
      assert.ok(!text.includes(piece), `${kind} (${piece}) found in ${where}`)
    }
  }
}

describeEachDatabase('secrets at rest', ({ db }) => {
  test('no planted secret reaches any table or the spool', async () => {
    const p = plant()
    const h = await startProxy(db(), { STORAGE_WRITE_TIMEOUT_MS: '200' })
    h.mock.handler = mockReplies(p)
    try {
      const domain = new URL(h.url).host
      await sendWithSdk(h, p)
      await eventually(async () => (await countRows(db(), domain)) === 2)
      // Hold the table: the next records time out and go to the spool on disk.
      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      const locked = db()
        .kysely.transaction()
        .execute(async (tx) => {
          await sql`lock table api_requests in access exclusive mode`.execute(tx)
          await held
        })
      await new Promise((resolve) => setTimeout(resolve, 50))
      assert.deepEqual(await sendRaw(h, p), [200, 200, 401])
      await eventually(async () => h.app.writer!.stats().spooled >= 3)
      const spool = await readSpool(h.dataDir)
      assert.ok(spool.includes('STREAM_SPLIT'), 'the records are in the spool')
      release()
      await locked
      await eventually(async () => (await countRows(db(), domain)) === 5)
      const dump = await dumpEveryTable(db())
      assert.ok(dump.includes('sk-ant-admin01-[redacted]'), 'the dump holds the masked rows')
      assertNoSecret(dump, p, 'the database')
      assertNoSecret(spool, p, 'the spool')
      const chunks = await sql<{ n: number; kind: string }>`
        select count(c.*)::int as n, min(r.body::text) as kind
        from api_requests r left join streaming_chunks c on c.request_id = r.request_id
        where r.domain = ${domain} and r.is_streaming group by r.request_id`.execute(db().kysely)
      const byKind = Object.fromEntries(
        chunks.rows.map((row) => [row.kind.includes('STREAM_SPLIT') ? 'split' : 'whole', row.n]),
      )
      assert.ok((byKind.whole ?? 0) > 0, 'a key whole inside one event: chunks kept, masked')
      assert.equal(byKind.split, 0, 'a key cut across events: chunks dropped')
    } finally {
      await h.close()
    }
  })
})
