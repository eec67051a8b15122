import { createInterface } from 'node:readline'
import type { Config } from '../config.ts'
import { credentialStatuses, formatStatuses } from '../credentials/credential-status.ts'
import { parseDomain } from '../credentials/domain.ts'
import { exchangeCode, OAuthLoginError, saveLogin } from '../credentials/oauth-login.ts'
import {
  authorizeUrl,
  createPkceSession,
  parsePastedCode,
  PastedCodeError,
} from '../credentials/pkce.ts'
import { NotOAuthError, refreshNow } from '../credentials/refresh-now.ts'
import { AppError } from '../errors.ts'
import { parseCommandArgs } from './args.ts'
import { CommandError, EXIT } from './exit-codes.ts'

export const OAUTH_USAGE = `nexus oauth login <domain> [--account <id>] [--json]
nexus oauth status [--json]
nexus oauth refresh <domain> [--json]

  login     sign in with a Claude subscription (PKCE): open the printed link, paste the code
            the page shows (code#state); writes CREDENTIALS_DIR/<domain>.credentials.json
            atomically with mode 0600, keeping its client keys and Slack settings
  status    every credential file: kind, account, token expiry, last refresh, file mode
  refresh   refresh a domain's OAuth token now, whatever its expiry

  Exit codes: 0 done, 1 failed, 2 usage, 3 no such file, 4 the token endpoint refused.
`

const OPTIONS = { json: { type: 'boolean' }, account: { type: 'string' } } as const

/** `nexus oauth …`; returns the exit code. */
export async function oauthCommand(args: string[], config: Config): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, OAUTH_USAGE)
  const [sub, domainArg, ...extra] = positionals
  const needsDomain = sub === 'login' || sub === 'refresh'
  if (extra.length > 0 || (needsDomain ? !domainArg : sub !== 'status' || domainArg)) {
    throw new CommandError(EXIT.usage, OAUTH_USAGE)
  }
  const json = values.json === true
  if (sub === 'status') return status(config, json)
  const domain = canonicalDomain(domainArg!)
  if (sub === 'login') return login(config, domain, json, values.account)
  return refresh(config, domain, json)
}

async function status(config: Config, json: boolean): Promise<number> {
  const statuses = await credentialStatuses(config.credentialsDir)
  process.stdout.write(
    json ? `${JSON.stringify(statuses, null, 2)}\n` : formatStatuses(statuses, Date.now()),
  )
  return statuses.some((s) => s.kind === 'invalid') ? EXIT.failed : EXIT.ok
}

async function login(
  config: Config,
  domain: string,
  json: boolean,
  accountId: string | undefined,
): Promise<number> {
  const session = createPkceSession()
  const { oauth } = config
  const url = authorizeUrl({ ...oauth, session })
  process.stderr.write('Open this link, sign in, and paste the code the page shows:\n')
  process.stdout.write(`${url}\n`)
  process.stderr.write('Code: ')
  const pasted = await readLine()
  try {
    const code = parsePastedCode(pasted ?? '', session.state)
    const tokens = await exchangeCode({ ...oauth, fetch }, code, session)
    const now = Date.now()
    const path = await saveLogin({
      dir: config.credentialsDir,
      domain,
      tokens,
      now,
      ...(accountId ? { accountId } : {}),
    })
    const expiresAt = now + Math.round(tokens.expires_in * 1000)
    if (json) process.stdout.write(`${JSON.stringify({ domain, file: path, expiresAt })}\n`)
    else process.stderr.write(`Signed in: wrote ${path} (mode 0600)\n`)
    return EXIT.ok
  } catch (err) {
    if (err instanceof PastedCodeError) throw new CommandError(EXIT.usage, err.message)
    if (err instanceof OAuthLoginError) {
      throw new CommandError(err.refused ? EXIT.refused : EXIT.failed, err.message)
    }
    throw err
  }
}

async function refresh(config: Config, domain: string, json: boolean): Promise<number> {
  try {
    const loaded = await refreshNow({
      dir: config.credentialsDir,
      domain,
      ...config.oauth,
      fetch,
      clock: Date.now,
    })
    const result = { domain, file: loaded.path, expiresAt: loaded.file.oauth.expiresAt }
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`)
    else
      process.stderr.write(
        `Refreshed ${loaded.fileName}; the token expires ${new Date(result.expiresAt).toISOString()}\n`,
      )
    return EXIT.ok
  } catch (err) {
    if (err instanceof NotOAuthError) throw new CommandError(EXIT.notFound, err.message)
    if (err instanceof AppError) {
      throw new CommandError(err.status === 401 ? EXIT.refused : EXIT.failed, err.message)
    }
    throw err
  }
}

function canonicalDomain(text: string): string {
  try {
    return parseDomain(text)
  } catch {
    throw new CommandError(EXIT.usage, `Not a domain: ${JSON.stringify(text)}`)
  }
}

/** One line from stdin (a terminal or a pipe); undefined at end of input. */
async function readLine(): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin, terminal: false })
  try {
    for await (const line of rl) return line
    return undefined
  } finally {
    rl.close()
  }
}
