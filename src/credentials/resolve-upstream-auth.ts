import { AuthenticationError } from '../errors.ts'
import { mergeAnthropicBeta, OAUTH_BETA } from './anthropic-beta.ts'
import { passthroughAuth, presentedKeys, rawHeader, verifyClientKey } from './client-auth.ts'
import type { ClientHeaders } from './client-auth.ts'
import type { ApiKeyCredential, SlackSettings } from './credential-file.ts'
import type {
  CredentialStore,
  LoadedCredential,
  LoadedOAuthCredential,
} from './credential-store.ts'
import type { OAuthRefresher } from './oauth-refresher.ts'

export interface ResolvedAuth {
  accountId: string
  source: 'api_key' | 'oauth' | 'passthrough'
  /**
   * Headers to set on the upstream request. The proxy removes the client's `authorization`
   * and `x-api-key` first, then sets these; an `anthropic-beta` here already contains the
   * client's own values and replaces the client's header.
   */
  headers: Record<string, string>
  /** A beta flag this auth needs upstream (already merged into `headers`). */
  betaToAdd?: string
  slack?: SlackSettings
  /** OAuth only: after upstream answered 401, fetch a newer token and auth for one retry. */
  retryAfterUnauthorized?: () => Promise<ResolvedAuth>
}

export interface AuthResolverDeps {
  store: CredentialStore
  refresher: OAuthRefresher
  enableClientAuth: boolean
}

export interface AuthResolver {
  /**
   * The upstream auth for one request to a canonical domain (see parseDomain). Throws an
   * AuthenticationError when client auth fails or when there is neither a credential file
   * nor a key from the client.
   */
  resolveUpstreamAuth(domain: string, clientHeaders: ClientHeaders): Promise<ResolvedAuth>
}

export function createAuthResolver(deps: AuthResolverDeps): AuthResolver {
  function oauthAuth(loaded: LoadedOAuthCredential, client: ClientHeaders, retry: boolean) {
    const beta = mergeAnthropicBeta(rawHeader(client, 'anthropic-beta'), OAUTH_BETA)
    const auth: ResolvedAuth = {
      accountId: loaded.file.accountId,
      source: 'oauth',
      headers: { authorization: `Bearer ${loaded.file.oauth.accessToken}`, 'anthropic-beta': beta },
      betaToAdd: OAUTH_BETA,
    }
    if (loaded.file.slack !== undefined) auth.slack = loaded.file.slack
    // The retried request gets no retry of its own, so a token upstream keeps refusing
    // costs one refresh, not a loop.
    if (retry) {
      auth.retryAfterUnauthorized = async () =>
        oauthAuth(await deps.refresher.refreshAfterUnauthorized(loaded), client, false)
    }
    return auth
  }

  return {
    async resolveUpstreamAuth(domain, clientHeaders) {
      const loaded = await deps.store.find(domain)
      if (loaded === undefined) return passthrough(clientHeaders)
      if (deps.enableClientAuth) requireClientKey(loaded, clientHeaders)
      const { file } = loaded
      if (file.type === 'api_key') return apiKeyAuth(file)
      return oauthAuth(await deps.refresher.ensureFresh({ ...loaded, file }), clientHeaders, true)
    },
  }
}

function apiKeyAuth(file: ApiKeyCredential): ResolvedAuth {
  const auth: ResolvedAuth = {
    accountId: file.accountId,
    source: 'api_key',
    headers: { 'x-api-key': file.api_key },
  }
  if (file.slack !== undefined) auth.slack = file.slack
  return auth
}

function passthrough(clientHeaders: ClientHeaders): ResolvedAuth {
  const own = passthroughAuth(clientHeaders)
  if (own === undefined) {
    throw new AuthenticationError(
      'No credentials are configured for this domain and the request carries no API key: ' +
        'send x-api-key or Authorization, or add a credential file for the domain.',
    )
  }
  return { accountId: own.accountId, source: 'passthrough', headers: own.headers }
}

function requireClientKey(loaded: LoadedCredential, clientHeaders: ClientHeaders): void {
  if (loaded.clientKeyHashes.length === 0) {
    throw new AuthenticationError(
      'Client authentication is enabled but no client key is configured for this domain; ' +
        'add client_api_key to its credential file.',
    )
  }
  if (presentedKeys(clientHeaders).length === 0) {
    throw new AuthenticationError(
      'Missing client API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
    )
  }
  if (!verifyClientKey(clientHeaders, loaded.clientKeyHashes)) {
    throw new AuthenticationError('Invalid client API key.')
  }
}
