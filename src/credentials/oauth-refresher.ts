import { basename } from 'node:path'
import { z } from 'zod'
import { AppError, AuthenticationError, UpstreamError } from '../errors.ts'
import type { OAuthCredential } from './credential-file.ts'
import { isOAuth } from './credential-store.ts'
import type {
  CredentialStore,
  LoadedCredential,
  LoadedOAuthCredential,
} from './credential-store.ts'
import { silentLog } from './log.ts'
import type { Log } from './log.ts'

export interface OAuthRefresher {
  /** The credential itself while its token has more than the margin left, else a refreshed one. */
  ensureFresh(loaded: LoadedOAuthCredential): Promise<LoadedOAuthCredential>
  /** After upstream answered 401 to this credential's token: a credential with a newer one. */
  refreshAfterUnauthorized(loaded: LoadedOAuthCredential): Promise<LoadedOAuthCredential>
}

export interface OAuthRefresherDeps {
  store: CredentialStore
  tokenUrl: string
  clientId: string
  fetch: typeof fetch
  clock: () => number
  log?: Log
  /** Refresh when less than this remains before `expiresAt`. */
  refreshMarginMs?: number
  timeoutMs?: number
  /** After a failed refresh, callers with the same refresh token get the same error this long. */
  failureCooldownMs?: number
  /** Each refresh asked of the token endpoint, by outcome (the OAuth refresh metric). */
  onRefresh?: (outcome: 'success' | 'failure') => void
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
})

type TokenResponse = z.infer<typeof tokenResponseSchema>

interface Failure {
  refreshToken: string
  until: number
  error: AppError
}

/**
 * Keeps OAuth access tokens fresh. At most one refresh per credential file (one account) is
 * in flight: every request that needs a new token while one is being fetched awaits the same
 * promise, because refresh tokens rotate and a second concurrent refresh would be rejected.
 */
export function createOAuthRefresher(deps: OAuthRefresherDeps): OAuthRefresher {
  const log = deps.log ?? silentLog
  const marginMs = deps.refreshMarginMs ?? 60_000
  const timeoutMs = deps.timeoutMs ?? 30_000
  const cooldownMs = deps.failureCooldownMs ?? 5_000
  const inFlight = new Map<string, Promise<LoadedOAuthCredential>>()
  const failures = new Map<string, Failure>()

  const expiring = (oauth: OAuthCredential['oauth']) => oauth.expiresAt - deps.clock() < marginMs

  function singleFlight(loaded: LoadedOAuthCredential, rejected: string | undefined) {
    const running = inFlight.get(loaded.path)
    if (running) return running
    const failure = failures.get(loaded.path)
    if (failure?.refreshToken === loaded.file.oauth.refreshToken && deps.clock() < failure.until) {
      return Promise.reject(failure.error)
    }
    const flight = refresh(loaded.path, rejected).finally(() => inFlight.delete(loaded.path))
    inFlight.set(loaded.path, flight)
    return flight
  }

  async function refresh(path: string, rejected: string | undefined) {
    // Another proxy instance sharing CREDENTIALS_DIR may have refreshed (and so rotated the
    // refresh token) already; the disk is the authority.
    const current = requireOAuth(await deps.store.reload(path), path)
    const oauth = current.file.oauth
    const replaced = rejected !== undefined && oauth.accessToken !== rejected
    if ((rejected === undefined || replaced) && !expiring(oauth)) return current
    try {
      const response = await requestTokens(current)
      failures.delete(path)
      const updated = await deps.store.update(path, withTokens(current.file, response))
      log.info('oauth token refreshed', { accountId: current.file.accountId })
      deps.onRefresh?.('success')
      return requireOAuth(updated, path)
    } catch (err) {
      deps.onRefresh?.('failure')
      if (err instanceof AppError) {
        const until = deps.clock() + cooldownMs
        failures.set(path, { refreshToken: oauth.refreshToken, until, error: err })
        log.warn('oauth token refresh failed', {
          accountId: current.file.accountId,
          error: err.message,
        })
      }
      throw err
    }
  }

  async function requestTokens(loaded: LoadedOAuthCredential): Promise<TokenResponse> {
    const account = loaded.file.accountId
    let res: Response
    try {
      res = await deps.fetch(deps.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          grant_type: 'refresh_token',
          refresh_token: loaded.file.oauth.refreshToken,
          client_id: deps.clientId,
        }),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      throw new UpstreamError(
        `Could not reach the OAuth token endpoint (${failureReason(err)}) to refresh the token ` +
          `of account ${account}. Check CLAUDE_OAUTH_TOKEN_URL and the network, then retry.`,
        { cause: err },
      )
    }
    const body: unknown = await res.json().catch(() => undefined)
    if (res.status === 400 || res.status === 401) {
      throw new AuthenticationError(
        `The OAuth token endpoint rejected the refresh token of account ${account} ` +
          `(HTTP ${res.status}${oauthErrorCode(body)}). Sign in again (for example with ` +
          `\`claude login\`) and put the new tokens into ${loaded.fileName}.`,
      )
    }
    if (!res.ok) {
      throw new UpstreamError(
        `The OAuth token endpoint answered HTTP ${res.status} while refreshing the token of ` +
          `account ${account}. Retry later.`,
      )
    }
    const parsed = tokenResponseSchema.safeParse(body)
    if (!parsed.success) {
      throw new UpstreamError(
        `The OAuth token endpoint sent an unexpected response while refreshing the token of ` +
          `account ${account}; check CLAUDE_OAUTH_TOKEN_URL.`,
      )
    }
    return parsed.data
  }

  function withTokens(file: OAuthCredential, response: TokenResponse): OAuthCredential {
    const oauth = {
      ...file.oauth,
      accessToken: response.access_token,
      // Endpoints that do not rotate refresh tokens omit it; the old one stays valid.
      refreshToken: response.refresh_token ?? file.oauth.refreshToken,
      expiresAt: deps.clock() + Math.round(response.expires_in * 1000),
      // Not part of Claude Code's format (loose schema); `nexus oauth status` shows it.
      refreshedAt: deps.clock(),
    }
    if (response.scope !== undefined) oauth.scopes = response.scope.split(' ').filter(Boolean)
    return { ...file, oauth }
  }

  return {
    async ensureFresh(loaded) {
      if (!expiring(loaded.file.oauth)) return loaded
      try {
        return await singleFlight(loaded, undefined)
      } catch (err) {
        // Inside the margin the old token still works; serve it and let a later request retry.
        if (deps.clock() < loaded.file.oauth.expiresAt) return loaded
        throw err
      }
    },

    refreshAfterUnauthorized(loaded) {
      return singleFlight(loaded, loaded.file.oauth.accessToken)
    },
  }
}

function requireOAuth(loaded: LoadedCredential | undefined, path: string): LoadedOAuthCredential {
  if (loaded !== undefined && isOAuth(loaded)) return loaded
  // The operator removed or replaced the file mid-request; the next request sees the new state.
  throw new AuthenticationError(
    `The OAuth credential file ${basename(path)} changed while its token was being refreshed; ` +
      'retry the request.',
  )
}

function failureReason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out'
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause
  return typeof cause?.code === 'string' ? cause.code : 'connection failed'
}

// Only the standard OAuth error code (RFC 6749 §5.2) is echoed; descriptions are free text.
function oauthErrorCode(body: unknown): string {
  const code = (body as { error?: unknown } | undefined)?.error
  return typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? `, ${code}` : ''
}
