import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

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
