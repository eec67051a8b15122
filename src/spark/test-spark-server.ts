import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { demoRecord, toolCall, toolResult, userText } from '../dashboard/demo/demo-records.ts'
import type { RequestRecord } from '../storage/request-record.ts'
import { SPARK_TOOL } from './spark-recommendation.ts'

export interface ReceivedCall {
  method: string
  /** The raw request target, as sent (encoding intact). */
  path: string
  headers: IncomingHttpHeaders
  body: unknown
}

type WireFeedback = Record<string, unknown>

/**
 * A Spark API on loopback for tests: keeps the feedback posted to it, answers the batch
 * and per-session reads from it, records every call, and refuses a wrong `x-api-key`.
 */
export class SparkServer {
  readonly calls: ReceivedCall[] = []
  readonly feedback = new Map<string, WireFeedback>()
  /** Answer every call with this status instead (a failing Spark). */
  failWith: number | undefined
  #server: Server | undefined

  constructor(readonly apiKey: string) {}

  async start(): Promise<string> {
    if (this.#server) return this.url
    this.#server = createServer((req, res) => {
      const parts: Buffer[] = []
      req.on('data', (c: Buffer) => parts.push(c))
      req.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8')
        const call = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: text === '' ? undefined : (JSON.parse(text) as unknown),
        }
        this.calls.push(call)
        const [status, answer] = this.answer(call)
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(answer))
      })
    })
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r))
    return this.url
  }

  private answer(call: ReceivedCall): [number, unknown] {
    if (this.failWith) return [this.failWith, { error: 'failing on purpose' }]
    if (call.headers['x-api-key'] !== this.apiKey) return [401, { error: 'bad key' }]
    const body = (call.body ?? {}) as Record<string, unknown>
    if (call.method === 'POST' && call.path === '/feedback') {
      const { session_id: id, ...rest } = body
      this.feedback.set(String(id), { ...rest, submitted_at: '2026-12-06T04:00:00.000Z' })
      return [201, { ok: true }]
    }
    if (call.method === 'POST' && call.path === '/feedback/batch') {
      const ids = body.session_ids as string[]
      return [
        200,
        { feedback: Object.fromEntries(ids.map((id) => [id, this.feedback.get(id) ?? null])) },
      ]
    }
    const one = /^\/sessions\/([^/]+)\/feedback$/.exec(call.path)
    if (call.method === 'GET' && one) {
      const found = this.feedback.get(decodeURIComponent(one[1]!))
      return found ? [200, found] : [404, { error: 'no feedback' }]
    }
    return [404, { error: 'no such route' }]
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections()
    await new Promise<void>((r) => this.#server?.close(() => r()) ?? r())
    this.#server = undefined
  }
}

/** A tool result text the way Spark's MCP server returns a recommendation. */
export function recommendationText(sessionId: string, markdown: string): string {
  return JSON.stringify({ session_id: sessionId, request: 'scan', response: markdown })
}

/** A stored Claude Code request in which the agent asked Spark and got `markdown` back. */
export function sparkRecord(domain: string, sessionId: string, markdown: string): RequestRecord {
  return demoRecord({
    at: new Date(Date.now() - 60_000),
    domain,
    messages: [
      userText('How do I migrate Kysely?'),
      toolCall('toolu_spark_1', SPARK_TOOL, { request: { query: 'kysely 0.28 migrate' } }),
      toolResult('toolu_spark_1', recommendationText(sessionId, markdown)),
    ],
    response: [{ type: 'text', text: 'Following the recommendation.' }],
  })
}

export const SPARK_MARKDOWN = [
  '# Migrate in two steps {#plan}',
  'Use **Kysely 0.28** with [the guide](https://kysely.dev/docs/migrations).',
  '',
  '## Steps {#steps}',
  '1. Pin the version',
  '2. Run `nexus migrate`',
  '',
  '## Careful {#careful}',
  '<script>window.__pwned = "spark"</script> [bad](javascript:window.__pwned=1)',
].join('\n')
