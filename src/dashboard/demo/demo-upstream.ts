import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A stand-in for the Anthropic API for `nexus demo` only: answers every Messages call with a
 * short canned message, so demo traffic flows through the real proxy, storage and linker.
 */
export async function startDemoUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'request-id': `req_demo_${randomUUID().slice(0, 8)}`,
      })
      res.end(
        JSON.stringify({
          id: `msg_demo_${randomUUID().slice(0, 8)}`,
          type: 'message',
          role: 'assistant',
          model: 'claude-haiku-4-5-20251001',
          content: [{ type: 'text', text: `Live demo answer at ${new Date().toISOString()}` }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: {
            input_tokens: 40 + Math.floor(Math.random() * 400),
            output_tokens: 20 + Math.floor(Math.random() * 200),
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
