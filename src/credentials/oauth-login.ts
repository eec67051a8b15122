import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from './atomic-write.ts'
import { CREDENTIALS_SUFFIX, parseCredentialFile } from './credential-file.ts'
import type { OAuthCredential } from './credential-file.ts'
import type { PkceSession } from './pkce.ts'

export interface TokenExchange {
  tokenUrl: string
  clientId: string
  redirectUri: string
  fetch: typeof fetch
  timeoutMs?: number
}

const loginResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
})

export type LoginTokens = z.infer<typeof loginResponseSchema>

/** A login that cannot finish; the message is for the operator and never holds a token. */
export class OAuthLoginError extends Error {
  /** True when the endpoint answered and said no (as opposed to being unreachable). */
  readonly refused: boolean
  constructor(message: string, refused = false) {
    super(message)
    this.refused = refused
  }
}

/** Trades the pasted authorization code for tokens (RFC 6749 §4.1.3 with PKCE, JSON body). */
export async function exchangeCode(
  exchange: TokenExchange,
  code: string,
  session: PkceSession,
): Promise<LoginTokens> {
  let res: Response
  try {
    res = await exchange.fetch(exchange.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        code,
        state: session.state,
        client_id: exchange.clientId,
        redirect_uri: exchange.redirectUri,
        code_verifier: session.verifier,
      }),
      signal: AbortSignal.timeout(exchange.timeoutMs ?? 30_000),
    })
  } catch (err) {
    throw new OAuthLoginError(
      `Could not reach the OAuth token endpoint ${exchange.tokenUrl} (${reason(err)}).`,
    )
  }
  const body: unknown = await res.json().catch(() => undefined)
  if (!res.ok) {
    const code = (body as { error?: unknown } | undefined)?.error
    const detail = typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? `, ${code}` : ''
    throw new OAuthLoginError(
      `The OAuth token endpoint refused the code (HTTP ${res.status}${detail}). Codes are ` +
        'single-use and expire within minutes: run the login again.',
      true,
    )
  }
  const parsed = loginResponseSchema.safeParse(body)
  if (!parsed.success) {
    throw new OAuthLoginError(
      'The OAuth token endpoint sent an unexpected answer; check CLAUDE_OAUTH_TOKEN_URL.',
    )
  }
  return parsed.data
}

export interface SaveLoginOptions {
  dir: string
  domain: string
  tokens: LoginTokens
  now: number
  /** Account id for a new file; an existing file keeps its own unless this is given. */
  accountId?: string
}

/**
 * Writes (or updates) `<domain>.credentials.json` with the new tokens, atomically and mode
 * 0600. Client keys, Slack settings and unknown fields of an existing file are kept, so a
 * login does not lock out the team's clients; an `api_key` file becomes an OAuth one.
 */
export async function saveLogin(options: SaveLoginOptions): Promise<string> {
  await mkdir(options.dir, { recursive: true, mode: 0o700 })
  const path = join(options.dir, `${options.domain}${CREDENTIALS_SUFFIX}`)
  const existing = await readExisting(path)
  const kept: Record<string, unknown> = { ...existing }
  delete kept['api_key']
  const { tokens } = options
  const file: OAuthCredential = {
    ...kept,
    type: 'oauth',
    accountId: options.accountId ?? existing?.accountId ?? options.domain,
    oauth: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: options.now + Math.round(tokens.expires_in * 1000),
      scopes: (tokens.scope ?? '').split(' ').filter(Boolean),
      refreshedAt: options.now,
    },
  }
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600)
  return path
}

async function readExisting(path: string) {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  // A broken file is replaced rather than merged: nothing in it can be trusted.
  try {
    return parseCredentialFile(text, path)
  } catch {
    return undefined
  }
}

function reason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out'
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause
  return typeof cause?.code === 'string' ? cause.code : 'connection failed'
}
