import { isIP } from 'node:net'
import { join } from 'node:path'
import { ConfigError } from '../../config.ts'
import { readOrCreateSecretFile, randomSecret } from './secret-file.ts'
import { loadSessionSecret, signLoginToken } from './session-secret.ts'

export const DASHBOARD_KEY_FILE = 'dashboard.key'

export interface DashboardAccessInput {
  host: string
  port: number
  apiKey: string | undefined
  readOnly: boolean
  dataDir: string
  now: number
}

export interface DashboardAccess {
  /** The key to run with: the configured one, the one kept in DATA_DIR, or none (read-only). */
  apiKey: string | undefined
  /** Where the key came from, for the start-up message. */
  keySource: 'config' | 'created' | 'data-dir' | 'none'
  keyFile: string | undefined
  /** A single-use login link valid for LOGIN_LINK_TTL_MS; never contains the key. */
  loginUrl: string | undefined
  warnings: string[]
}

export const LOGIN_LINK_TTL_MS = 15 * 60 * 1000

/**
 * Decides how the dashboard is protected before anything listens (SPEC §6): a configured key
 * wins; without one a loopback bind gets a key made and kept in DATA_DIR (0600); a
 * non-loopback bind without one refuses to start unless anonymous reading was asked for.
 */
export async function prepareDashboardAccess(
  input: DashboardAccessInput,
): Promise<DashboardAccess> {
  const warnings: string[] = []
  if (input.readOnly) {
    warnings.push(
      'DASHBOARD_READ_ONLY=true: anyone who can reach the dashboard port can read every stored ' +
        'conversation (prompts, code, tool output) without logging in. Write actions are disabled.',
    )
  }
  let apiKey = input.apiKey
  let keySource: DashboardAccess['keySource'] = apiKey ? 'config' : 'none'
  let keyFile: string | undefined
  if (!apiKey && !input.readOnly) {
    if (!isLoopbackHost(input.host)) {
      throw new ConfigError(
        `The dashboard would listen on ${input.host}, which is not a loopback address, and ` +
          'DASHBOARD_API_KEY is not set. Refusing to expose stored conversations without a key. ' +
          'Set DASHBOARD_API_KEY (for example from `nexus keys generate`), bind HOST=127.0.0.1, ' +
          'or set DASHBOARD_READ_ONLY=true to allow anonymous read-only access (not recommended).',
      )
    }
    keyFile = join(input.dataDir, DASHBOARD_KEY_FILE)
    const made = await readOrCreateSecretFile(keyFile, () => `nxd_${randomSecret(24)}`)
    apiKey = made.value
    keySource = made.created ? 'created' : 'data-dir'
  }
  let loginUrl: string | undefined
  if (apiKey) {
    const secret = await loadSessionSecret(input.dataDir)
    const token = signLoginToken(secret, input.now, LOGIN_LINK_TTL_MS)
    loginUrl = `${baseUrl(input.host, input.port)}/login?token=${encodeURIComponent(token)}`
  }
  return { apiKey, keySource, keyFile, loginUrl, warnings }
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h)
  return false
}

function baseUrl(host: string, port: number): string {
  const shown = isIP(host) === 6 ? `[${host}]` : host
  return `http://${shown}:${port}`
}
