import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedWebhook {
  path: string
  body: unknown
}

/**
 * A loopback stand-in for Slack's incoming webhooks. `mode` decides the answer: `ok` (200
 * "ok" as Slack does), `fail` (500), or `hang` (read the request, never answer).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = []
  mode: 'ok' | 'fail' | 'hang' = 'ok'
  #server: Server | undefined
  #waiters: (() => void)[] = []

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const parts: Buffer[] = []
      req.on('data', (c: Buffer) => parts.push(c))
      req.on('end', () => {
        let body: unknown
        try {
          body = JSON.parse(Buffer.concat(parts).toString('utf8'))
        } catch {
          body = undefined
        }
        this.received.push({ path: req.url ?? '', body })
        for (const wake of this.#waiters.splice(0)) wake()
        if (this.mode === 'hang') return
        res.writeHead(this.mode === 'ok' ? 200 : 500, { 'content-type': 'text/plain' })
        res.end(this.mode === 'ok' ? 'ok' : 'internal_error')
      })
    })
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    return this.url
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`
  }

  /** Resolves once `count` webhooks have arrived at `path` (any path when omitted). */
  async waitFor(count: number, path?: string, timeoutMs = 5000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const matching = this.received.filter((r) => path === undefined || r.path === path)
      if (matching.length >= count) return matching
      const left = deadline - Date.now()
      if (left <= 0)
        throw new Error(
          `expected ${count} webhooks at ${path ?? 'any path'}, got ${matching.length}`,
        )
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections()
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve())
  }
}
