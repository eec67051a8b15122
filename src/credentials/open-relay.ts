import { readdir } from 'node:fs/promises'
import { ConfigError } from '../config.ts'
import { isLoopbackHost } from '../dashboard/auth/dashboard-access.ts'
import { CREDENTIALS_SUFFIX } from './credential-file.ts'

export interface OpenRelayInput {
  host: string
  credentialsDir: string
  enableClientAuth: boolean
  allowOpenRelay: boolean
}

/**
 * Refuses a proxy that would spend a domain's key for anyone: reachable from the network,
 * holding credential files, and not asking clients for a key. Without credential files the
 * proxy only forwards the client's own key, which spends nothing of ours. Returns a warning
 * to print when PROXY_ALLOW_OPEN_RELAY=true makes it a deliberate choice.
 */
export async function checkOpenRelay(input: OpenRelayInput): Promise<string | undefined> {
  if (input.enableClientAuth || isLoopbackHost(input.host)) return undefined
  const files = await credentialFiles(input.credentialsDir)
  if (files.length === 0) return undefined
  const what =
    `The proxy would listen on ${input.host} (not a loopback address) with ${files.length} ` +
    `credential file(s) in ${input.credentialsDir} and ENABLE_CLIENT_AUTH=false: anyone who ` +
    'can reach the port would spend those keys.'
  if (input.allowOpenRelay) return `${what} Allowed by PROXY_ALLOW_OPEN_RELAY=true.`
  throw new ConfigError(
    `${what} Set ENABLE_CLIENT_AUTH=true and give clients a domain key ` +
      '(`nexus keys generate`), bind HOST=127.0.0.1, or set PROXY_ALLOW_OPEN_RELAY=true if ' +
      'the network in front of the proxy already restricts who reaches it.',
  )
}

async function credentialFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith(CREDENTIALS_SUFFIX))
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return []
    throw err
  }
}
