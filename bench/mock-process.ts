// The loopback Anthropic stand-in, in a process of its own, answering every
// `POST /v1/messages` with the benchmark's reply: a ~2 KB message as JSON, or the same
// message as a 30-event SSE stream written one event at a time, `--sse-gap-ms` apart.
//
//   node bin/run-ts.js bench/mock-process.ts [--sse-gap-ms=1]
import { parseArgs } from 'node:util'
import { MockAnthropic } from '../test-support/mock-anthropic.ts'
import { serveParent } from './child.ts'
import { processStats } from './process-stats.ts'
import { jsonReply, sseReply } from './workload.ts'

const { values: args } = parseArgs({
  options: {
    'sse-gap-ms': { type: 'string', default: '1' },
    port: { type: 'string', default: '0' },
  },
})
const gapMs = Number(args['sse-gap-ms'])
const sse = sseReply()
const stats = processStats()
let answered = 0

const mock = new MockAnthropic()
mock.handler = (_req, body) => {
  // The mock keeps every request for tests to inspect; here that would be gigabytes.
  mock.received.length = 0
  answered++
  if ((body as { stream?: boolean } | undefined)?.stream) {
    return { kind: 'sse', stream: sse.stream, splitAt: sse.boundaries, delayMs: gapMs }
  }
  return { kind: 'json', body: jsonReply() }
}
await mock.start(Number(args.port))

serveParent(
  Number(new URL(mock.url).port),
  {
    begin: () => stats.begin(),
    sample: () => ({ ...stats.sample(), answered }),
  },
  () => mock.close(),
)
