import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { gitBlobSha } from './github-sync.ts'

export const CLIENT_KEY = 'cnp_test_mcp_0123456789abcdef0123456789'

export const GREET_YAML = `description: Greets someone
arguments:
  - name: who
    description: the person to greet
    required: true
  - name: tone
    description: how
template: |-
  Say hello to {{who}}{{#if tone}} in a {{tone}} tone{{/if}}. Keep <b>&</b> as is.
`

/** A data dir with a credential file for 127.0.0.1 (client key CLIENT_KEY) and a prompts dir. */
export async function mcpSandbox() {
  const root = await mkdtemp(join(tmpdir(), 'nexus-mcp-'))
  const credentialsDir = join(root, 'credentials')
  const promptsDir = join(root, 'prompts')
  await mkdir(credentialsDir)
  await mkdir(promptsDir)
  await writeFile(
    join(credentialsDir, '127.0.0.1.credentials.json'),
    JSON.stringify({
      type: 'api_key',
      accountId: 'acc_mcp',
      api_key: 'sk-ant-api03-mcp-test-000000',
      client_api_key: CLIENT_KEY,
    }),
    { mode: 0o600 },
  )
  return { root, credentialsDir, promptsDir, dataDir: join(root, 'data') }
}

export async function connectClient(url: string, key = CLIENT_KEY) {
  const client = new Client({ name: 'nexus-test', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  })
  await client.connect(transport)
  return { client, transport }
}

/** A loopback GitHub speaking the REST contents API for one repository. */
export class FakeGithub {
  head = 'c1'
  files = new Map<string, string>()
  requests: string[] = []
  authorization: string[] = []
  #server: Server | undefined
  async start() {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      this.requests.push(`${url.pathname}${url.search}`)
      this.authorization.push(req.headers.authorization ?? '')
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (url.pathname === '/repos/acme/prompts/commits/main') return send(200, { sha: this.head })
      if (url.searchParams.get('ref') !== this.head) return send(404, { message: 'Not Found' })
      if (url.pathname === '/repos/acme/prompts/contents/team/shared') {
        return send(200, [
          ...[...this.files].map(([name, text]) => ({
            type: 'file',
            name,
            path: `team/shared/${name}`,
            sha: gitBlobSha(Buffer.from(text)),
          })),
          { type: 'dir', name: 'nested', path: 'team/shared/nested', sha: 'd' },
          { type: 'file', name: 'README.md', path: 'team/shared/README.md', sha: 'r' },
        ])
      }
      const prefix = '/repos/acme/prompts/contents/team/shared/'
      const name = decodeURIComponent(url.pathname.slice(prefix.length))
      const text = this.files.get(name)
      if (!url.pathname.startsWith(prefix) || text === undefined)
        return send(404, { message: 'Not Found' })
      send(200, {
        type: 'file',
        name,
        encoding: 'base64',
        content: Buffer.from(text).toString('base64'),
      })
    })
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r))
    return `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`
  }
  close() {
    return new Promise<void>((r) => this.#server!.close(() => r()))
  }
}
