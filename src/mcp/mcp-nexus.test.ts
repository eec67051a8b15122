import assert from 'node:assert/strict'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { McpError, PromptListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { MockAnthropic } from '../../test-support/mock-anthropic.ts'
import {
  freePort,
  startNexus,
  waitFor,
  type NexusProcess,
} from '../../test-support/nexus-process.ts'
import { connectClient, GREET_YAML, mcpSandbox } from './test-support.ts'

describe('MCP prompts on a running `nexus start`, through the official SDK client', () => {
  const mock = new MockAnthropic()
  let box: Awaited<ReturnType<typeof mcpSandbox>>
  let nexus: NexusProcess
  let url: string
  before(async () => {
    await mock.start()
    box = await mcpSandbox()
    await writeFile(join(box.promptsDir, 'greet.yaml'), GREET_YAML)
    await writeFile(
      join(box.promptsDir, 'broken.yaml'),
      'description: ok\ntemplate: [unclosed\n  - x\n',
    )
    await writeFile(join(box.promptsDir, 'bad-template.yaml'), 'template: "Hi {{#if x}}open"\n')
    await writeFile(
      join(box.promptsDir, 'huge.yaml'),
      `template: "${'x'.repeat(5 * 1024 * 1024)}"\n`,
    )
    const port = await freePort()
    url = `http://127.0.0.1:${port}/mcp`
    nexus = startNexus({
      PORT: String(port),
      DASHBOARD_PORT: String(await freePort()),
      DATA_DIR: box.dataDir,
      CREDENTIALS_DIR: box.credentialsDir,
      MCP_PROMPTS_DIR: box.promptsDir,
      CLAUDE_API_BASE_URL: mock.url,
      STORAGE_ENABLED: 'false',
      LOG_LEVEL: 'info',
    })
    await waitFor(() => nexus.output().includes('proxy listening'), 'the proxy to listen')
  })
  after(async () => {
    nexus.child.kill('SIGTERM')
    assert.equal(await nexus.exited, 0, nexus.output())
    await mock.close()
    await rm(box.root, { recursive: true, force: true })
  })

  test('initialize, list, get with arguments, missing argument, list_changed after an edit', async () => {
    const { client, transport } = await connectClient(url)
    try {
      assert.equal(client.getServerVersion()?.name, 'claude-nexus-proxy')
      assert.deepEqual(client.getServerCapabilities()?.prompts, { listChanged: true })
      assert.match(transport.sessionId ?? '', /^[0-9a-f-]{36}$/)

      const listed = await client.listPrompts()
      assert.deepEqual(listed.prompts, [
        {
          name: 'greet',
          description: 'Greets someone',
          arguments: [
            { name: 'who', description: 'the person to greet', required: true },
            { name: 'tone', description: 'how', required: false },
          ],
        },
      ])

      const got = await client.getPrompt({ name: 'greet', arguments: { who: 'Ada', tone: 'warm' } })
      assert.deepEqual(got, {
        description: 'Greets someone',
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text: 'Say hello to Ada in a warm tone. Keep <b>&</b> as is.',
            },
          },
        ],
      })

      await assert.rejects(
        client.getPrompt({ name: 'greet', arguments: { tone: 'dry' } }),
        (err: unknown) =>
          err instanceof McpError &&
          err.code === -32602 &&
          err.message.includes('Missing required argument "who" for prompt "greet"'),
      )
      await assert.rejects(client.getPrompt({ name: 'nope' }), /Prompt not found: nope/)

      let notified = 0
      client.setNotificationHandler(PromptListChangedNotificationSchema, () => void notified++)
      // The notification travels on the client's GET stream, which it opens on its own after
      // initialize; an edit made before that stream exists is not delivered (no event store),
      // so on a slow machine the edit is repeated, each time with a new description.
      let description = ''
      for (let attempt = 1; notified === 0 && attempt <= 5; attempt++) {
        description = `Says hi (${attempt})`
        await writeFile(
          join(box.promptsDir, 'greet.yaml'),
          GREET_YAML.replace('Greets someone', description),
        )
        const deadline = Date.now() + 1_000
        while (notified === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      }
      assert.ok(notified > 0, 'notifications/prompts/list_changed after an edit')
      const after = await client.listPrompts()
      assert.equal(after.prompts[0]?.description, description)
    } finally {
      await transport.terminateSession()
      await client.close()
    }
  })

  test('bad files are skipped and logged with file and line; the others keep being served', () => {
    const out = nexus.output()
    assert.match(out, /prompt file skipped: broken\.yaml:\d+: /)
    assert.match(out, /prompt file skipped: bad-template\.yaml:1: template: Parse error/)
    assert.match(
      out,
      /prompt file skipped: huge\.yaml:0: the file is 524\d+ bytes; the limit is 1048576/,
    )
  })

  test('a wrong or missing key is a 401 with a challenge; nothing is listed', async () => {
    await assert.rejects(
      connectClient(url, 'cnp_wrong_key_000000000000'),
      (err: unknown) =>
        (err as { code?: number }).code === 401 &&
        String(err).includes('Invalid client API key for this domain.'),
    )
    for (const authorization of ['Bearer cnp_wrong', undefined]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'prompts/list' }),
      })
      assert.equal(res.status, 401)
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="nexus-mcp"/)
      const body = (await res.json()) as { error: { type: string } }
      assert.equal(body.error.type, 'authentication_error')
    }
  })

  test('a missing or unknown session id is a JSON-RPC error; DELETE ends a session', async () => {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: 'Bearer cnp_test_mcp_0123456789abcdef0123456789',
    }
    const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'prompts/list' })
    const missing = await fetch(url, { method: 'POST', headers, body: list })
    assert.equal(missing.status, 400)
    assert.deepEqual(await missing.json(), {
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Bad Request: Mcp-Session-Id header is required' },
      id: null,
    })
    const get = await fetch(url, { headers })
    assert.equal(get.status, 400)
    const notJson = await fetch(url, { method: 'POST', headers, body: '{oops' })
    assert.equal(notJson.status, 400)

    const { client, transport } = await connectClient(url)
    const id = transport.sessionId!
    await transport.terminateSession()
    await client.close()
    const ended = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': id },
      body: list,
    })
    assert.equal(ended.status, 404)
    assert.equal(
      ((await ended.json()) as { error: { message: string } }).error.message,
      'Session not found',
    )
  })
  test('a 5 MB body is a 413, with or without a session; the server keeps serving', async () => {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: 'Bearer cnp_test_mcp_0123456789abcdef0123456789',
    }
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { pad: 'x'.repeat(5 * 1024 * 1024) },
    })
    const fresh = await fetch(url, { method: 'POST', headers, body: huge })
    assert.equal(fresh.status, 413)
    const { client, transport } = await connectClient(url)
    const inSession = await fetch(url, {
      method: 'POST',
      headers: {
        ...headers,
        'mcp-session-id': transport.sessionId!,
        'mcp-protocol-version': '2025-11-25',
      },
      body: huge,
    })
    assert.equal(inSession.status, 413)
    assert.equal((await client.listPrompts()).prompts.length, 1)
    // Left connected with its GET stream open: shutdown must still end cleanly (after()).
  })
})
