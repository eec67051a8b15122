// Helpers for this folder's tests: a temp credentials directory and a loopback OAuth token
// server that records every request it gets.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'nexus-credentials-'))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

export async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, JSON.stringify(value, null, 2))
  await chmod(path, 0o600)
  return path
}

export interface RecordedRequest {
  method: string
  url: string
  contentType: string | undefined
  body: unknown
}

export interface TokenReply {
  status: number
  body: unknown
  delayMs?: number
}

export interface TokenServer {
  url: string
  requests: RecordedRequest[]
  reply: (request: RecordedRequest, count: number) => TokenReply
  close: () => Promise<void>
}

export async function startTokenServer(
  reply: TokenServer['reply'] = (_req, n) => ({
    status: 200,
    body: { access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 3600 },
  }),
): Promise<TokenServer> {
  const requests: RecordedRequest[] = []
  const state = { reply }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      }
      requests.push(recorded)
      const answer = state.reply(recorded, requests.length)
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(answer.body))
      }, answer.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1/oauth/token`,
    requests,
    get reply() {
      return state.reply
    },
    set reply(next) {
      state.reply = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A URL on loopback where nothing listens: the port of a server that was just closed. */
export async function deadUrl(): Promise<string> {
  const server = await startTokenServer()
  await server.close()
  return server.url
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000) {
  const clock = { now: start, read: () => clock.now }
  return clock
}
