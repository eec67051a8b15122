import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../config.ts'
import { generateClientKey } from '../credentials/generate-key.ts'
import { seedDemoData } from '../dashboard/demo/demo-data.ts'
import { startDemoUpstream } from '../dashboard/demo/demo-upstream.ts'
import type { Log } from '../log.ts'
import { openDatabase } from './runtime.ts'
import { serve } from './serve.ts'

/**
 * `nexus demo`: the whole service on a throw-away embedded database in a temporary directory,
 * seeded with a month of traffic and a few Claude Code sessions, plus one live request every
 * few seconds through the real proxy (to a canned local upstream) so live updates show.
 */
export async function demo(configured: Config, log: Log): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nexus-demo-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const upstream = await startDemoUpstream()
  const domainKey = generateClientKey()
  const config: Config = {
    ...configured,
    databaseUrl: undefined,
    dataDir: join(dir, 'data'),
    credentialsDir: join(dir, 'credentials'),
    upstream: { ...configured.upstream, baseUrl: upstream.url },
    dashboard: { ...configured.dashboard, apiKey: undefined, readOnly: false },
  }
  await mkdir(config.credentialsDir, { recursive: true })
  const credential = {
    type: 'api_key',
    accountId: 'acc_team',
    api_key: 'sk-ant-api03-demo-not-a-real-key',
    client_api_key: domainKey,
  }
  await writeFile(
    join(config.credentialsDir, 'team-a.demo.credentials.json'),
    JSON.stringify(credential),
    { mode: 0o600 },
  )

  console.log(`Seeding demo data into ${dir} …`)
  const opened = await openDatabase(config, log)
  const { requests } = await seedDemoData(opened.db, Date.now())
  await opened.close()
  console.log(`${requests} demo requests stored.`)
  console.log(`Log in with the key ${domainKey} to see only the domain team-a.demo.`)

  await serve(config, log, { proxy: true, dashboard: true }, 'start')
  let n = 0
  const timer = setInterval(() => {
    n++
    const body = JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: `Live demo request ${n}` }],
    })
    const req = request(
      {
        host: '127.0.0.1',
        port: config.proxyPort,
        path: '/v1/messages',
        method: 'POST',
        headers: {
          host: n % 2 ? 'team-a.demo' : 'team-b.demo',
          'content-type': 'application/json',
          'x-api-key': 'sk-ant-api03-demo-client-key',
        },
      },
      (res) => res.resume(),
    )
    req.on('error', () => undefined)
    req.end(body)
  }, 5000)
  timer.unref()
}
