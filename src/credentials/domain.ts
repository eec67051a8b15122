import { isIPv4, isIPv6 } from 'node:net'
import { BadRequestError } from '../errors.ts'

const MAX_HOSTNAME = 253
// Letters, digits, hyphen (RFC 1123) plus underscore, which Docker service names use; none of
// them can form a path separator or `..`, so the file name stays inside CREDENTIALS_DIR.
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i
const HOST_AND_PORT = /^([^:[\]]+)(?::(\d{1,5}))?$/
const BRACKETED_V6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i

export interface DomainParts {
  hostname: string
  port?: number
}

/**
 * Validates a `Host` header and returns the canonical domain (lowercase hostname, `:port`
 * kept) used to name credential files. Anything that is not a plain hostname, IPv4 address
 * or bracketed IPv6 address with an optional port is a BadRequestError.
 */
export function parseDomain(hostHeader: string | undefined): string {
  if (hostHeader === undefined || hostHeader === '') throw invalid('is missing')
  if (hostHeader.length > MAX_HOSTNAME + 8) throw invalid('is too long')
  const parts = splitHost(hostHeader)
  return formatDomain(parts)
}

/** Splits an already canonical domain (the output of parseDomain) into hostname and port. */
export function splitDomain(domain: string): DomainParts {
  return splitHost(domain)
}

function splitHost(host: string): DomainParts {
  const v6 = BRACKETED_V6.exec(host)
  if (v6) {
    const address = (v6[1] ?? '').toLowerCase()
    if (!isIPv6(address)) throw invalid('is not a valid IPv6 address')
    return withPort(`[${address}]`, v6[2])
  }
  const plain = HOST_AND_PORT.exec(host)
  if (!plain) throw invalid('is not a hostname with an optional port')
  const hostname = validHostname(plain[1] ?? '')
  return withPort(hostname, plain[2])
}

function validHostname(raw: string): string {
  // A fully qualified name may end in a dot; it names the same host.
  const name = raw.endsWith('.') ? raw.slice(0, -1) : raw
  if (name.length === 0 || name.length > MAX_HOSTNAME) throw invalid('has an invalid length')
  if (isIPv4(name)) return name
  // Validated before lowercasing: toLowerCase maps some non-ASCII letters (the Kelvin sign)
  // to ASCII, which would let a different byte sequence pass as a known domain.
  if (!name.split('.').every((label) => LABEL.test(label))) {
    throw invalid('is not a valid hostname')
  }
  return name.toLowerCase()
}

function withPort(hostname: string, port: string | undefined): DomainParts {
  if (port === undefined) return { hostname }
  const value = Number(port)
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw invalid('has an invalid port')
  return { hostname, port: value }
}

function formatDomain({ hostname, port }: DomainParts): string {
  return port === undefined ? hostname : `${hostname}:${port}`
}

function invalid(reason: string): BadRequestError {
  // The offending value is not echoed: it is attacker-controlled and may hold control bytes.
  return new BadRequestError(`The Host header ${reason}`)
}
