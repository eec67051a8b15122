import { z } from 'zod'
import { AppError } from '../errors.ts'
import { splitDomain } from './domain.ts'

export const CREDENTIALS_SUFFIX = '.credentials.json'

// Loose objects: fields this version does not know survive a refresh write-back untouched.
const slackSchema = z.looseObject({
  webhook_url: z.url(),
  channel: z.string().optional(),
  username: z.string().optional(),
  icon_emoji: z.string().optional(),
  enabled: z.boolean().optional(),
})

const oauthTokensSchema = z.looseObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresAt: z.number().int().nonnegative(),
  scopes: z.array(z.string()).optional(),
  isMax: z.boolean().optional(),
})

const shared = {
  accountId: z.string().min(1),
  client_api_key: z.string().min(1).optional(),
  client_api_keys: z.array(z.string().min(1)).optional(),
  slack: slackSchema.optional(),
}

const apiKeyCredentialSchema = z.looseObject({
  type: z.literal('api_key'),
  api_key: z.string().min(1),
  ...shared,
})

const oauthCredentialSchema = z.looseObject({
  type: z.literal('oauth'),
  oauth: oauthTokensSchema,
  ...shared,
})

export const credentialFileSchema = z.discriminatedUnion('type', [
  apiKeyCredentialSchema,
  oauthCredentialSchema,
])

export type SlackSettings = z.infer<typeof slackSchema>
export type OAuthTokens = z.infer<typeof oauthTokensSchema>
export type ApiKeyCredential = z.infer<typeof apiKeyCredentialSchema>
export type OAuthCredential = z.infer<typeof oauthCredentialSchema>
export type CredentialFile = z.infer<typeof credentialFileSchema>

/** A credential file exists but cannot be used: an operator mistake, so a 500 naming it. */
export class CredentialFileError extends AppError {
  constructor(message: string) {
    super(500, 'api_error', message)
  }
}

/**
 * Parses the text of a credential file. Errors name the file and the fields at fault but
 * never quote the content, which holds secrets.
 */
export function parseCredentialFile(text: string, fileName: string): CredentialFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // V8's SyntaxError quotes the text around the fault, which may be a key, so it is dropped.
    throw new CredentialFileError(`Credential file ${fileName} is not valid JSON`)
  }
  const parsed = credentialFileSchema.safeParse(json)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)'
    return `${field}: ${issue.message}`
  })
  throw new CredentialFileError(`Credential file ${fileName} is invalid: ${problems.join('; ')}`)
}

/** File names to try for a canonical domain, most specific first. */
export function credentialFileNames(domain: string): string[] {
  const { hostname, port } = splitDomain(domain)
  const names = [`${domain}${CREDENTIALS_SUFFIX}`]
  if (port !== undefined) names.push(`${hostname}${CREDENTIALS_SUFFIX}`)
  return names
}

/** Every client key the file accepts, from both the single and the list form. */
export function clientKeysOf(file: CredentialFile): string[] {
  const keys = [...(file.client_api_keys ?? [])]
  if (file.client_api_key !== undefined) keys.push(file.client_api_key)
  return keys
}
