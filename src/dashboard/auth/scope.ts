import { splitDomain } from '../../credentials/domain.ts'

/**
 * What a viewer may see. `all` for the operator; otherwise the request domains a domain
 * login covers, resolved against the credential files present now.
 */
export type DomainScope =
  | { kind: 'all' }
  | {
      kind: 'domains'
      /** Exact request domains. */
      exact: string[]
      /** `host:` prefixes: a portless file covers every port without a file of its own. */
      hostPrefixes: string[]
      /** Domains under a prefix that have their own file (and so are not covered). */
      excluded: string[]
    }

/** The scope of a login through the credential files of `domains`. */
export function scopeForDomains(
  domains: readonly string[],
  allFileDomains: readonly string[],
): DomainScope {
  const exact = [...new Set(domains)]
  const hostPrefixes: string[] = []
  for (const d of exact) if (splitDomain(d).port === undefined) hostPrefixes.push(`${d}:`)
  const excluded = allFileDomains.filter(
    (f) => !exact.includes(f) && hostPrefixes.some((p) => f.startsWith(p)),
  )
  return { kind: 'domains', exact, hostPrefixes, excluded }
}

export function inScope(scope: DomainScope, domain: string): boolean {
  if (scope.kind === 'all') return true
  if (scope.exact.includes(domain)) return true
  return scope.hostPrefixes.some((p) => domain.startsWith(p)) && !scope.excluded.includes(domain)
}

/** A short label for the header: "all domains" or the covered names. */
export function describeScope(scope: DomainScope): string {
  return scope.kind === 'all' ? 'all domains' : scope.exact.join(', ')
}
