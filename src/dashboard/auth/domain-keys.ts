import { timingSafeEqual } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { CREDENTIALS_SUFFIX } from '../../credentials/credential-file.ts'
import type { CredentialStore } from '../../credentials/credential-store.ts'
import { parseDomain } from '../../credentials/domain.ts'
import { sha256 } from '../../credentials/hash.ts'
import { keyIdOf, sameId } from './session-token.ts'

/**
 * The domains whose credential files accept a client key (SPEC §6: "a domain's client key may
 * log in scoped to that domain"). A file `example.com.credentials.json` makes its keys see
 * `example.com`; a file named without a port also covers `example.com:<port>` for every port
 * that has no file of its own, exactly the requests the proxy served with that file.
 */
export interface DomainKeys {
  /** Credential-file domains whose client keys include `key` (constant-time comparisons). */
  domainsFor(key: string): Promise<string[]>
  /** Whether every domain still accepts the key `keyId` stands for (a revoked key ends sessions). */
  stillAccepts(domains: readonly string[], keyId: string, secret: Buffer): Promise<boolean>
  /** Every credential-file domain, for scope filters. */
  fileDomains(): Promise<string[]>
}

export function createDomainKeys(deps: {
  dir: string
  store: CredentialStore
  clock: () => number
  /** How long a directory listing is reused. */
  listTtlMs?: number
}): DomainKeys {
  const ttl = deps.listTtlMs ?? 1000
  let listed: { at: number; domains: Promise<string[]> } | undefined

  function fileDomains(): Promise<string[]> {
    const now = deps.clock()
    if (!listed || now - listed.at >= ttl) listed = { at: now, domains: listDomains(deps.dir) }
    return listed.domains
  }

  async function hashesOf(domain: string): Promise<readonly Buffer[]> {
    try {
      const loaded = await deps.store.find(domain)
      return loaded?.fileName === `${domain}${CREDENTIALS_SUFFIX}` ? loaded.clientKeyHashes : []
    } catch {
      return [] // a broken file accepts nobody
    }
  }

  return {
    fileDomains,
    async domainsFor(key) {
      const digest = sha256(key)
      const matches: string[] = []
      // Listed afresh: a file added a moment ago must work at once for a login.
      for (const domain of await listDomains(deps.dir)) {
        let ok = false
        for (const candidate of await hashesOf(domain))
          ok = timingSafeEqual(digest, candidate) || ok
        if (ok) matches.push(domain)
      }
      return matches
    },
    async stillAccepts(domains, keyId, secret) {
      for (const domain of domains) {
        let ok = false
        for (const hash of await hashesOf(domain)) ok = sameId(keyIdOf(hash, secret), keyId) || ok
        if (!ok) return false
      }
      return true
    },
  }
}

async function listDomains(dir: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const out: string[] = []
  for (const name of names) {
    if (!name.endsWith(CREDENTIALS_SUFFIX)) continue
    const domain = name.slice(0, -CREDENTIALS_SUFFIX.length)
    try {
      // Only names the proxy itself would look up; anything else was never a domain's file.
      if (parseDomain(domain) === domain) out.push(domain)
    } catch {
      continue
    }
  }
  return out.sort()
}
