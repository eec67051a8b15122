import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Database } from '../db/database.ts'
import { startProxy, type ProxyHarness } from '../../test-support/proxy-harness.ts'

/** A real proxy (in front of the mock upstream) with its dashboard listening too. */
export interface DashboardHarness {
  proxy: ProxyHarness
  /** Base URL of the listening dashboard. */
  url: string
  /** The admin key (DASHBOARD_API_KEY) unless the env said otherwise. */
  key: string
  close(): Promise<void>
}

export function randomKey(prefix = 'nxd_test_'): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`
}

export async function startDashboard(
  db: Database | null,
  env: Record<string, string> = {},
): Promise<DashboardHarness> {
  const key = randomKey()
  const proxy = await startProxy(db, { DASHBOARD_API_KEY: key, ...env })
  const server: Server = createServer(proxy.app.dashboardListener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    proxy,
    url,
    key,
    async close() {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await proxy.close()
    },
  }
}

/** A credential file for `domain` accepting the given client keys (pass-through api key). */
export async function writeCredentialFile(
  dir: string,
  domain: string,
  clientKeys: string[],
): Promise<void> {
  const file = {
    type: 'api_key',
    accountId: `acc_${domain.replace(/[^a-z0-9]/g, '_')}`,
    api_key: 'sk-ant-api03-upstreamupstreamupstream',
    client_api_keys: clientKeys,
  }
  await writeFile(join(dir, `${domain}.credentials.json`), JSON.stringify(file), { mode: 0o600 })
}

/**
 * Sends one Messages request through the proxy as a client of `host` (the domain the
 * request is stored under). Returns the proxy's request id.
 */
export function sendThroughProxy(
  proxyUrl: string,
  input: { host: string; body: unknown; apiKey?: string; headers?: Record<string, string> },
): Promise<{ status: number; requestId: string; text: string }> {
  const payload = Buffer.from(JSON.stringify(input.body))
  const url = new URL('/v1/messages', proxyUrl)
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          host: input.host,
          'content-type': 'application/json',
          'content-length': String(payload.length),
          'anthropic-version': '2023-06-01',
          'x-api-key': input.apiKey ?? 'sk-ant-api03-clientclientclientclient',
          ...input.headers,
        },
      },
      (res) => {
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            requestId: String(res.headers['x-request-id'] ?? ''),
            text: Buffer.concat(parts).toString('utf8'),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/**
 * A GET with exactly these headers (fetch would set its own Sec-Fetch-* values), for
 * requests shaped like a browser's top-level navigation.
 */
export function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(parts).toString('utf8'),
        }),
      )
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

/** Logs in with a key the way the form does and returns the `Cookie` header value. */
export async function loginCookie(dashboardUrl: string, key: string): Promise<string> {
  const res = await fetch(`${dashboardUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: dashboardUrl, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key, next: '/' }),
  })
  const setCookie = res.headers.get('set-cookie')
  if (res.status !== 303 || !setCookie) throw new Error(`login failed: ${res.status}`)
  return setCookie.split(';')[0] as string
}
