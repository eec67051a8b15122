import assert from 'node:assert/strict'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { MockAnthropic } from '../../test-support/mock-anthropic.ts'
import {
  freePort,
  startNexus,
  waitFor,
  type NexusProcess,
} from '../../test-support/nexus-process.ts'
import {
  claudeCodeInstalled,
  createClaudeCodeSandbox,
  runClaudeCode,
  type ClaudeCodeSandbox,
} from '../../test-support/run-claude-code.ts'
import { CLIENT_KEY, GREET_YAML, mcpSandbox } from './test-support.ts'

const skip = claudeCodeInstalled() ? false : 'the Claude Code CLI is not installed (npm ci)'

describe('the real Claude Code CLI with the proxy as its MCP server', { skip }, () => {
  const mock = new MockAnthropic()
  let box: Awaited<ReturnType<typeof mcpSandbox>>
  let nexus: NexusProcess
  let sandbox: ClaudeCodeSandbox
  let mcpUrl: string
  before(async () => {
    await mock.start()
    box = await mcpSandbox()
    sandbox = await createClaudeCodeSandbox()
    await writeFile(join(box.promptsDir, 'greet.yaml'), GREET_YAML)
    const port = await freePort()
    mcpUrl = `http://127.0.0.1:${port}/mcp`
    nexus = startNexus({
      PORT: String(port),
      DASHBOARD_PORT: String(await freePort()),
      DATA_DIR: box.dataDir,
      CREDENTIALS_DIR: box.credentialsDir,
      MCP_PROMPTS_DIR: box.promptsDir,
      CLAUDE_API_BASE_URL: mock.url,
      STORAGE_ENABLED: 'false',
    })
    await waitFor(() => nexus.output().includes('proxy listening'), 'the proxy to listen')
  })
  after(async () => {
    nexus.child.kill('SIGTERM')
    await nexus.exited
    await mock.close()
    await sandbox.remove()
    await rm(box.root, { recursive: true, force: true })
  })

  test(
    'a prompt is the /mcp__nexus__greet command; invoking it sends the rendered text to the model',
    { timeout: 90_000 },
    async () => {
      const mcpConfig = {
        mcpServers: {
          nexus: { type: 'http', url: mcpUrl, headers: { Authorization: `Bearer ${CLIENT_KEY}` } },
        },
      }
      const run = await runClaudeCode({
        baseUrl: mock.url,
        apiKey: 'sk-ant-api03-claude-code-mcp-test-00000000',
        sandbox,
        path: process.env.PATH ?? '/usr/bin:/bin',
        args: [
          '-p',
          '/mcp__nexus__greet Ada warm',
          '--mcp-config',
          JSON.stringify(mcpConfig),
          '--strict-mcp-config',
          '--output-format',
          'stream-json',
          '--verbose',
        ],
        timeoutMs: 60_000,
      })
      assert.equal(run.exitCode, 0, run.stderr + run.stdout)
      // The CLI's init event lists its slash commands and MCP servers.
      const init = run.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((e) => e.type === 'system' && e.subtype === 'init')
      assert.ok(init, run.stdout)
      assert.deepEqual(init.mcp_servers, [{ name: 'nexus', status: 'connected' }])
      assert.ok(
        (init.slash_commands as string[]).includes('mcp__nexus__greet'),
        String(init.slash_commands),
      )
      const sent = mock.received
        .filter((r) => r.url.startsWith('/v1/messages') && !r.url.includes('count_tokens'))
        .map((r) => r.body.toString('utf8'))
      const userTexts = sent.flatMap((body) => {
        const parsed = JSON.parse(body) as { messages?: { role: string; content: unknown }[] }
        return (parsed.messages ?? [])
          .filter((m) => m.role === 'user')
          .map((m) => JSON.stringify(m.content))
      })
      assert.ok(
        userTexts.some((t) => t.includes('Say hello to Ada in a warm tone. Keep <b>&</b> as is.')),
        `the rendered prompt is a user message the model received:\n${userTexts.join('\n').slice(0, 3000)}`,
      )
    },
  )
})
