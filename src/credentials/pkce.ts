import { createHash, randomBytes } from 'node:crypto'

/** Scopes Claude Code asks for: inference with a subscription, the profile, API keys. */
export const OAUTH_SCOPES = 'org:create_api_key user:profile user:inference'

export interface PkceSession {
  verifier: string
  challenge: string
  state: string
}

/** A fresh PKCE verifier (RFC 7636: 43+ characters, base64url) with its S256 challenge. */
export function createPkceSession(random: (n: number) => Buffer = randomBytes): PkceSession {
  const verifier = random(32).toString('base64url')
  return { verifier, challenge: s256(verifier), state: random(32).toString('base64url') }
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

export interface AuthorizeUrlOptions {
  authorizeUrl: string
  clientId: string
  redirectUri: string
  session: PkceSession
}

/**
 * The URL the operator opens in a browser. `code=true` asks the authorization page to show
 * the code for pasting (`code#state`) instead of redirecting to a local server, as Claude
 * Code does on a machine without a browser.
 */
export function authorizeUrl(options: AuthorizeUrlOptions): string {
  const url = new URL(options.authorizeUrl)
  url.searchParams.set('code', 'true')
  url.searchParams.set('client_id', options.clientId)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('redirect_uri', options.redirectUri)
  url.searchParams.set('scope', OAUTH_SCOPES)
  url.searchParams.set('code_challenge', options.session.challenge)
  url.searchParams.set('code_challenge_method', 'S256')
  url.searchParams.set('state', options.session.state)
  return url.toString()
}

export class PastedCodeError extends Error {}

/**
 * The pasted `code#state`. The state must be the one this login sent: a code from another
 * login (or another person's link) is refused before it reaches the token endpoint.
 */
export function parsePastedCode(pasted: string, expectedState: string): string {
  const text = pasted.trim()
  const hash = text.indexOf('#')
  if (text === '' || hash === 0) throw new PastedCodeError('No authorization code was pasted.')
  if (hash < 0) {
    throw new PastedCodeError(
      'The pasted text has no `#state` part; paste the whole code the page shows (code#state).',
    )
  }
  if (text.slice(hash + 1) !== expectedState) {
    throw new PastedCodeError(
      'The pasted code belongs to another login (its state does not match); start again.',
    )
  }
  return text.slice(0, hash)
}
