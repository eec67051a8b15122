import { timingSafeEqual } from 'node:crypto'
import { sha256 } from '../../credentials/hash.ts'
import type { DomainKeys } from './domain-keys.ts'
import { scopeForDomains, describeScope, type DomainScope } from './scope.ts'
import { loadSessionSecret, openLoginToken } from './session-secret.ts'
import { claimLoginLink } from './used-login-links.ts'
import {
  keyIdOf,
  newNonce,
  sameId,
  signSession,
  verifySession,
  type Session,
  type SessionScope,
} from './session-token.ts'

/** Who is looking at the dashboard, resolved once per request. */
export interface Viewer {
  kind: 'admin' | 'domain' | 'anonymous'
  scope: DomainScope
  /** False for anonymous readers and for everyone while DASHBOARD_READ_ONLY is on. */
  canWrite: boolean
  /** For the header: "admin", "example.com", "anonymous (read-only)". */
  label: string
  via: 'session' | 'header' | 'anonymous'
  session: Session | undefined
}

export type Credentials = { cookie: string | undefined; dashboardKey: string | undefined }

export type Resolution =
  { ok: true; viewer: Viewer } | { ok: false; reason: 'bad-key' | 'no-session' | 'not-configured' }

export interface DashboardAuthDeps {
  apiKey: string | undefined
  readOnly: boolean
  dataDir: string
  domainKeys: DomainKeys
  clock: () => number
  sessionTtlMs?: number
}

export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000

export interface DashboardAuth {
  readonly readOnly: boolean
  readonly sessionTtlMs: number
  /** Resolves the viewer from an `X-Dashboard-Key` header, else the session cookie. */
  resolve(credentials: Credentials): Promise<Resolution>
  /** Signs a session for a key, or undefined when the key opens nothing. */
  login(key: string): Promise<{ token: string; session: Session } | undefined>
  /** Exchanges a single-use login link for a session. */
  loginWithLink(linkToken: string): Promise<{ token: string; session: Session } | undefined>
  /** Denies this session from now on in this process (the cookie is cleared as well). */
  logout(session: Session): void
}

/**
 * Keys, sessions and scopes for the dashboard. Every comparison against a secret is
 * constant-time: keys are compared as SHA-256 digests with timingSafeEqual, sessions by HMAC.
 */
export function createDashboardAuth(deps: DashboardAuthDeps): DashboardAuth {
  const ttl = deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS
  const adminDigest = deps.apiKey ? sha256(deps.apiKey) : undefined
  let secret: Promise<Buffer> | undefined
  const getSecret = () => (secret ??= loadSessionSecret(deps.dataDir))
  const denied = new Map<string, number>()

  function isAdminKey(key: string): boolean {
    return adminDigest !== undefined && timingSafeEqual(sha256(key), adminDigest)
  }

  async function viewerOf(
    scope: SessionScope,
    via: Viewer['via'],
    session?: Session,
  ): Promise<Viewer> {
    const canWrite = !deps.readOnly
    if (scope.kind === 'admin') {
      return { kind: 'admin', scope: { kind: 'all' }, canWrite, label: 'admin', via, session }
    }
    const domainScope = scopeForDomains(scope.domains, await deps.domainKeys.fileDomains())
    return {
      kind: 'domain',
      scope: domainScope,
      canWrite,
      label: describeScope(domainScope),
      via,
      session,
    }
  }

  async function scopeForKey(key: string): Promise<SessionScope | undefined> {
    if (isAdminKey(key)) return { kind: 'admin' }
    const domains = await deps.domainKeys.domainsFor(key)
    return domains.length > 0 ? { kind: 'domain', domains } : undefined
  }

  async function sessionStillValid(session: Session, key: Buffer): Promise<boolean> {
    if (denied.has(session.nonce)) return false
    if (session.scope.kind === 'admin') {
      return adminDigest !== undefined && sameId(keyIdOf(adminDigest, key), session.keyId)
    }
    return deps.domainKeys.stillAccepts(session.scope.domains, session.keyId, key)
  }

  async function issue(scope: SessionScope, keyDigest: Buffer) {
    const key = await getSecret()
    const now = deps.clock()
    const session: Session = {
      scope,
      keyId: keyIdOf(keyDigest, key),
      issuedAt: now,
      expiresAt: now + ttl,
      nonce: newNonce(),
    }
    return { token: signSession(session, key), session }
  }

  function prune(map: Map<string, number>) {
    const now = deps.clock()
    for (const [k, until] of map) if (until <= now) map.delete(k)
  }

  return {
    readOnly: deps.readOnly,
    sessionTtlMs: ttl,
    async resolve({ cookie, dashboardKey }) {
      if (dashboardKey !== undefined) {
        const scope = await scopeForKey(dashboardKey)
        if (!scope) return { ok: false, reason: 'bad-key' }
        return { ok: true, viewer: await viewerOf(scope, 'header') }
      }
      if (cookie) {
        const key = await getSecret()
        const session = verifySession(cookie, key, deps.clock())
        if (session && (await sessionStillValid(session, key))) {
          return { ok: true, viewer: await viewerOf(session.scope, 'session', session) }
        }
      }
      if (deps.readOnly) {
        return {
          ok: true,
          viewer: {
            kind: 'anonymous',
            scope: { kind: 'all' },
            canWrite: false,
            label: 'anonymous (read-only)',
            via: 'anonymous',
            session: undefined,
          },
        }
      }
      return { ok: false, reason: 'no-session' }
    },
    async login(key) {
      const scope = await scopeForKey(key)
      return scope ? issue(scope, sha256(key)) : undefined
    },
    async loginWithLink(linkToken) {
      if (!adminDigest) return undefined
      const nonce = openLoginToken(linkToken, await getSecret(), deps.clock())
      if (nonce === undefined) return undefined
      if (!(await claimLoginLink(deps.dataDir, nonce, deps.clock()))) return undefined
      return issue({ kind: 'admin' }, adminDigest)
    },
    logout(session) {
      prune(denied)
      denied.set(session.nonce, session.expiresAt)
    },
  }
}
