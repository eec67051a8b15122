import { createCredentialStore } from './credential-store.ts'
import type { CredentialStore } from './credential-store.ts'
import type { Log } from './log.ts'
import { createOAuthRefresher } from './oauth-refresher.ts'
import type { OAuthRefresher } from './oauth-refresher.ts'
import { createAuthResolver } from './resolve-upstream-auth.ts'
import type { AuthResolver } from './resolve-upstream-auth.ts'

export interface CredentialsDeps {
  dir: string
  tokenUrl: string
  clientId: string
  enableClientAuth: boolean
  fetch: typeof fetch
  clock: () => number
  log: Log
  onRefresh?: (outcome: 'success' | 'failure') => void
}

export interface Credentials extends AuthResolver {
  store: CredentialStore
  refresher: OAuthRefresher
}

/** Wires store, refresher and resolver; the composition root calls this once. */
export function createCredentials(deps: CredentialsDeps): Credentials {
  const store = createCredentialStore({ dir: deps.dir, clock: deps.clock, log: deps.log })
  const refresher = createOAuthRefresher({ ...deps, store })
  const resolver = createAuthResolver({ store, refresher, enableClientAuth: deps.enableClientAuth })
  return { ...resolver, store, refresher }
}
