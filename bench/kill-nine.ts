// Requests completed before a kill -9 that are stored after a restart, per backend:
//
//   node bin/run-ts.js bench/kill-nine.ts [--requests=2000] [--concurrency=20]
//        [--backends=pglite,postgres] [--bin=path/to/bin/nexus.js] [--kill-after=50]
//
// --kill-after is the wait (ms) between the last response and the kill. --bin runs another checkout's nexus (e.g. an older commit) against the same harness.
import { parseArgs } from 'node:util'
import type { Backend } from '../src/db/database.ts'
import { runKillNine } from '../test-support/kill-nine.ts'

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '20' },
    backends: { type: 'string', default: 'pglite,postgres' },
    bin: { type: 'string' },
    'kill-after': { type: 'string', default: '50' },
  },
})
for (const backend of values.backends.split(',') as Backend[]) {
  const started = Date.now()
  const result = await runKillNine({
    backend,
    requests: Number(values.requests),
    concurrency: Number(values.concurrency),
    killAfterMs: Number(values['kill-after']),
    ...(values.bin ? { bin: values.bin } : {}),
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(`${backend}: stored ${result.stored}/${result.completed} completed (${seconds} s)`)
}
