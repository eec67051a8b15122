import { randomUUID } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { Log } from '../log.ts'
import { verifyClientKey, presentedKeys } from '../credentials/client-auth.ts'
import type { CredentialStore } from '../credentials/credential-store.ts'
import { parseDomain } from '../credentials/domain.ts'
import { AuthenticationError } from '../errors.ts'
import type { PromptCatalog } from './prompt-catalog.ts'
import { createPromptServer } from './prompt-server.ts'

export interface McpRoutesDeps {
  catalog: PromptCatalog
  credentialStore: CredentialStore
  log: Log
  /** Oldest idle sessions are closed beyond this, since clients may never send DELETE. */
  maxSessions?: number
}

interface Session {
  domain: string
  transport: WebStandardStreamableHTTPServerTransport
  server: McpServer
}

const MAX_BODY_BYTES = 4 * 1024 * 1024

export interface McpRoutes {
  app: Hono<{ Variables: { domain: string } }>
  sessionCount(): number
  /** Ends every session (their GET streams), so the server can close. */
  close(): Promise<void>
}

/**
 * `/mcp`: the SDK's Streamable HTTP transport, one per session, behind the domain's client
 * keys. The session map lives here; the transport does the protocol (initialize, SSE, GET
 * notification stream, DELETE).
 */
export function mcpRoutes(deps: McpRoutesDeps): McpRoutes {
  const sessions = new Map<string, Session>()
  const maxSessions = deps.maxSessions ?? 1_000
  deps.catalog.onChange(() => {
    for (const session of sessions.values()) {
      session.server.sendPromptListChanged()
    }
  })

  const app = new Hono<{ Variables: { domain: string } }>()
  app.use('/mcp', async function requireClientKey(c, next) {
    const domain = parseDomainOr401(c.req.header('host'))
    const loaded = domain === undefined ? undefined : await deps.credentialStore.find(domain)
    const headers = c.req.header()
    if (presentedKeys(headers).length === 0)
      return unauthorized(c, 'Missing client API key: send "Authorization: Bearer <key>".')
    if (domain === undefined || !loaded || !verifyClientKey(headers, loaded.clientKeyHashes)) {
      return unauthorized(c, 'Invalid client API key for this domain.')
    }
    c.set('domain', domain)
    await next()
  })
  app.use(
    '/mcp',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => rpcError(c, 413, -32000, 'Request body too large (limit 4 MiB)'),
    }),
  )
  app.all('/mcp', async (c) => {
    const domain = c.var.domain
    const id = c.req.header('mcp-session-id')
    if (id !== undefined) {
      const session = sessions.get(id)
      // Another domain's session is as unknown as a closed one.
      if (!session || session.domain !== domain)
        return rpcError(c, 404, -32001, 'Session not found')
      // Most recently used last: the first entry is the one to evict.
      sessions.delete(id)
      sessions.set(id, session)
      return session.transport.handleRequest(c.req.raw)
    }
    if (c.req.method !== 'POST')
      return rpcError(c, 400, -32000, 'Bad Request: Mcp-Session-Id header is required')
    const body: unknown = await c.req.json().catch(() => undefined)
    if (body === undefined) return rpcError(c, 400, -32700, 'Parse error: the body is not JSON')
    if (!isInitializeRequest(body)) {
      return rpcError(c, 400, -32000, 'Bad Request: Mcp-Session-Id header is required')
    }
    return startSession(domain).transport.handleRequest(c.req.raw, { parsedBody: body })
  })

  function startSession(domain: string): Session {
    const server = createPromptServer(() => deps.catalog.forDomain(domain))
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      // Answers are single JSON bodies (no per-request SSE stream); notifications use the GET stream.
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        sessions.set(id, session)
        evict()
      },
    })
    const session: Session = { domain, transport, server }
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
    }
    void server.connect(transport)
    return session
  }

  function evict() {
    for (const [id, session] of sessions) {
      if (sessions.size <= maxSessions) return
      sessions.delete(id)
      void session.server.close()
      deps.log.info('mcp session closed: too many sessions', { session: id })
    }
  }

  return {
    app,
    sessionCount: () => sessions.size,
    async close() {
      const all = [...sessions.values()]
      sessions.clear()
      await Promise.all(all.map((s) => s.server.close()))
    },
  }
}

function parseDomainOr401(host: string | undefined): string | undefined {
  try {
    return parseDomain(host)
  } catch {
    return undefined
  }
}

/** 401 with a challenge, as HTTP and MCP's authorization section want; nothing else leaks. */
function unauthorized(c: Context, message: string) {
  c.header(
    'WWW-Authenticate',
    `Bearer realm="nexus-mcp", error="invalid_token", error_description="${message.replace(/"/g, "'")}"`,
  )
  return c.json(new AuthenticationError(message).toBody(), 401)
}

function rpcError(c: Context, status: 400 | 404 | 413, code: number, message: string) {
  return c.json({ jsonrpc: '2.0', error: { code, message }, id: null }, status)
}
