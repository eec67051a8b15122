import { createCredentialStore, isOAuth } from './credential-store.ts'
import type { LoadedOAuthCredential } from './credential-store.ts'
import { createOAuthRefresher } from './oauth-refresher.ts'

export interface RefreshNowOptions {
  dir: string
  domain: string
  tokenUrl: string
  clientId: string
  fetch: typeof fetch
  clock: () => number
}

/** The domain has no OAuth credential file to refresh. */
export class NotOAuthError extends Error {}

/**
 * Refreshes a domain's OAuth token now, whatever its expiry (`nexus oauth refresh`), with
 * the proxy's own refresher: the same request, the same atomic write-back, the same errors.
 */
export async function refreshNow(options: RefreshNowOptions): Promise<LoadedOAuthCredential> {
  const store = createCredentialStore({ dir: options.dir, clock: options.clock })
  const loaded = await store.find(options.domain)
  if (loaded === undefined) {
    throw new NotOAuthError(`No credential file for ${options.domain} in ${options.dir}.`)
  }
  if (!isOAuth(loaded)) {
    throw new NotOAuthError(`${loaded.fileName} holds an API key, not OAuth tokens.`)
  }
  const refresher = createOAuthRefresher({ ...options, store })
  // The refresh "after unauthorized" path is the one that refreshes regardless of expiry.
  return refresher.refreshAfterUnauthorized(loaded)
}
