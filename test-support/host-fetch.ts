import { Readable } from 'node:stream'
import { request } from 'undici'

/**
 * A `fetch` that sends every request with the given `Host` header, so one listening proxy
 * can be reached as many domains (each test its own). Node's built-in fetch ignores a Host
 * header; undici's request does not. Pass it to the SDK as `fetch`.
 */
export function fetchAsHost(host: string): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init)
    const headers: Record<string, string> = {}
    req.headers.forEach((value, name) => (headers[name] = value))
    headers['host'] = host
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : null
    const res = await request(req.url, {
      method: req.method as 'GET',
      headers,
      body,
      signal: init?.signal ?? null,
    })
    const out = new Headers()
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of Array.isArray(value) ? value : [value])
        if (v !== undefined) out.append(name, v)
    }
    const empty = res.statusCode === 204 || res.statusCode === 304 || req.method === 'HEAD'
    const stream = empty ? null : (Readable.toWeb(res.body) as ReadableStream<Uint8Array>)
    return new Response(stream, { status: res.statusCode, headers: out })
  }
}

/** A random domain for one test, e.g. `t-3f9a1c.usage.test`. */
export function randomDomain(label = 'test'): string {
  return `t-${Math.random().toString(16).slice(2, 10)}.${label}.test`
}
