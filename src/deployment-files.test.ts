import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { validate } from 'dockerfile-utils'
import { parse } from 'yaml'
import { startProxy, type ProxyHarness } from '../test-support/proxy-harness.ts'
import { CONFIG_VARIABLES, loadConfig } from './config.ts'
import { USAGE } from './cli/main.ts'

// This machine has no container engine: the files are checked by parsing them against the
// code (docs/deployment.md says what .ci/run adds: `docker-compose config`).
const root = join(import.meta.dirname, '..')
const read = (file: string) => readFileSync(join(root, file), 'utf8')

interface Service {
  image?: string
  build?: unknown
  command?: string[]
  environment?: Record<string, string>
  volumes?: string[]
  ports?: string[]
  healthcheck?: { test?: string[]; disable?: boolean }
  depends_on?: Record<string, { condition: string }>
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>
  volumes: Record<string, unknown>
}
const NEXUS_SERVICES = ['proxy', 'dashboard', 'worker']

// `${NAME:?message}` and `${NAME:-default}` as docker compose fills them from this environment.
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g, (_, name: string, op, rest) => {
    if (env[name] !== undefined) return env[name]
    if (op === '-') return rest as string
    throw new Error(`${name} is required: ${rest}`)
  })
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile')
  const lines = dockerfile.split('\n').filter((l) => /^[A-Z]+ /.test(l))
  const runtime = lines.slice(lines.findIndex((l) => l.startsWith('FROM node:20-slim AS runtime')))

  test('lints clean (dockerfile-utils, the linter of VS Code’s Docker support)', () => {
    assert.deepEqual(validate(dockerfile), [])
    // The linter does find problems: a Dockerfile without FROM is one.
    assert.ok(validate('RUN true\nEXPOSE 99999\n').length > 0)
  })

  test('builds in one stage and runs production dependencies as a non-root user in another', () => {
    assert.deepEqual(
      lines.filter((l) => l.startsWith('FROM ')),
      ['FROM node:20-slim AS build', 'FROM node:20-slim AS runtime'],
    )
    assert.ok(runtime.length > 1)
    assert.ok(runtime.includes('USER node'))
    assert.ok(dockerfile.includes('npm ci --omit=dev --ignore-scripts'))
    assert.ok(runtime.includes('COPY --from=build /app/dist ./dist'))
    assert.ok(runtime.includes('EXPOSE 3000 3001'))
    assert.ok(runtime.includes('VOLUME ["/data", "/credentials"]'))
    assert.ok(runtime.includes('ENTRYPOINT ["node", "bin/nexus.js"]'))
    assert.match(dockerfile, /HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "bin\/healthcheck\.js"\]/)
  })

  test('its environment and the defaults agree with src/config.ts', () => {
    const env = Object.fromEntries(
      [...dockerfile.matchAll(/^\s+([A-Z_]+)=(\S+?)(?: \\)?$/gm)].map(([, k, v]) => [k!, v!]),
    )
    for (const name of Object.keys(env).filter((k) => k !== 'NODE_ENV')) {
      assert.ok(CONFIG_VARIABLES.includes(name), `${name} is not a config variable`)
    }
    const config = loadConfig(env)
    assert.deepEqual(
      [config.host, config.proxyPort, config.dashboardPort, config.dataDir, config.credentialsDir],
      ['0.0.0.0', 3000, 3001, '/data', '/credentials'],
    )
  })

  test('.dockerignore keeps secrets, data and build output out of the context', () => {
    const ignored = read('.dockerignore').split('\n')
    for (const entry of ['node_modules', 'dist', 'data', 'credentials', '.env', '.git']) {
      assert.ok(ignored.includes(entry), entry)
    }
  })
})

describe('docker-compose.yml', () => {
  const env = { POSTGRES_PASSWORD: 'pw', DASHBOARD_API_KEY: 'k'.repeat(32) }

  test('PostgreSQL and the proxy, dashboard and worker as separate services', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      'dashboard',
      'postgres',
      'proxy',
      'worker',
    ])
    assert.deepEqual(compose.services.postgres?.healthcheck?.test, [
      'CMD-SHELL',
      'pg_isready -U nexus -d nexus',
    ])
    const shown = USAGE.split('\n').map((l) => /^ {2}([a-z-]+)/.exec(l)?.[1])
    for (const name of NEXUS_SERVICES) {
      const s = compose.services[name]!
      assert.equal(s.image, 'claude-nexus-proxy:latest')
      assert.deepEqual(s.depends_on, { postgres: { condition: 'service_healthy' } })
      const command = s.command?.[0] ?? ''
      assert.equal(command, name)
      assert.ok(shown.includes(command), `nexus ${command}`)
    }
  })

  test('every service’s environment is valid configuration for one shared database', () => {
    const urls = new Set<string | undefined>()
    for (const name of NEXUS_SERVICES) {
      const raw = compose.services[name]!.environment!
      for (const key of Object.keys(raw)) assert.ok(CONFIG_VARIABLES.includes(key), key)
      const filled = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), env)]),
      )
      const config = loadConfig(filled)
      assert.equal(config.host, '0.0.0.0')
      assert.equal(config.metrics.token, undefined)
      urls.add(config.databaseUrl)
    }
    assert.deepEqual([...urls], ['postgres://nexus:pw@postgres:5432/nexus'])
    assert.equal(
      compose.services.proxy!.environment!.ENABLE_CLIENT_AUTH,
      '${ENABLE_CLIENT_AUTH:-true}',
    )
    // Without the passwords the file refuses to start rather than run on a default.
    assert.throws(() => interpolate(compose.services.proxy!.environment!.DATABASE_URL!, {}))
  })

  test('a data volume per process, one credentials volume, health checks on /health/live', () => {
    const dataVolumes = NEXUS_SERVICES.map((name) => {
      const volumes = compose.services[name]!.volumes!
      assert.ok(
        volumes.some((v) => /^credentials:\/credentials(:ro)?$/.test(v)),
        name,
      )
      return volumes.find((v) => v.endsWith(':/data'))
    })
    assert.deepEqual(dataVolumes, ['proxy-data:/data', 'dashboard-data:/data', 'worker-data:/data'])
    assert.deepEqual(Object.keys(compose.volumes).sort(), [
      'credentials',
      'dashboard-data',
      'postgres-data',
      'proxy-data',
      'worker-data',
    ])
    for (const name of ['proxy', 'dashboard']) {
      assert.deepEqual(compose.services[name]!.healthcheck!.test, [
        'CMD',
        'node',
        'bin/healthcheck.js',
      ])
    }
    assert.equal(compose.services.worker!.healthcheck!.disable, true)
  })
})

describe('bin/healthcheck.js', () => {
  let h: ProxyHarness
  before(async () => {
    h = await startProxy(null, { STORAGE_ENABLED: 'false' })
  })
  after(async () => h.close())

  const run = (env: Record<string, string>) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [join(root, 'bin/healthcheck.js')], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: 'ignore',
      })
      child.on('exit', resolve)
    })

  test('exits 0 when /health/live answers on either port, 1 when neither does', async () => {
    const port = new URL(h.url).port
    const closed = await freePort()
    assert.equal(await run({ PORT: port, DASHBOARD_PORT: closed }), 0)
    assert.equal(await run({ PORT: closed, DASHBOARD_PORT: port }), 0)
    assert.equal(await run({ PORT: closed, DASHBOARD_PORT: closed }), 1)
  })
})

function freePort(): Promise<string> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(String(port)))
    })
  })
}
