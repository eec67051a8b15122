import type { AnalysisConfig } from '../config.ts'
import type { CredentialStore } from '../credentials/credential-store.ts'
import type { OAuthRefresher } from '../credentials/oauth-refresher.ts'
import { createAuthResolver } from '../credentials/resolve-upstream-auth.ts'
import type { Database } from '../db/database.ts'
import type { Log } from '../log.ts'
import type { PriceTable } from '../usage/price-table.ts'
import { AnalysisWorker } from './analysis-worker.ts'
import { claudeProvider } from './claude-provider.ts'
import { geminiProvider } from './gemini-provider.ts'
import type { ClaimedJob } from './job-store.ts'
import type { AnalysisProvider } from './provider.ts'
import { analysisRunner } from './run-analysis.ts'

export interface AnalysisDeps {
  config: AnalysisConfig
  db: Database
  log: Log
  priceTable: PriceTable
  credentials: { store: CredentialStore; refresher: OAuthRefresher }
  clock?: () => number
  onChange?: (job: ClaimedJob, status: 'processing' | 'completed' | 'pending' | 'failed') => void
}

/** The configured provider, or undefined when none is (then no worker runs). */
export function createAnalysisProvider(
  config: AnalysisConfig,
  credentials: AnalysisDeps['credentials'],
): AnalysisProvider | undefined {
  if (config.provider === 'gemini') {
    if (!config.gemini.apiKey) return undefined
    return geminiProvider({
      apiKey: config.gemini.apiKey,
      baseUrl: config.gemini.baseUrl,
      model: config.gemini.model,
      timeoutMs: config.requestTimeoutMs,
    })
  }
  if (config.provider !== 'claude') return undefined
  const { domain, apiKey } = config.claude
  if (!domain && !apiKey) return undefined
  // A domain's credential file wins: its OAuth token is refreshed like the proxy's own.
  const resolver = createAuthResolver({ ...credentials, enableClientAuth: false })
  const authHeaders = domain
    ? async () => (await resolver.resolveUpstreamAuth(domain, {})).headers
    : async () => ({ 'x-api-key': apiKey ?? '' })
  return claudeProvider({
    baseUrl: config.claude.baseUrl,
    model: config.claude.model,
    timeoutMs: config.requestTimeoutMs,
    authHeaders,
  })
}

/** The worker for the configured provider; undefined when no provider is configured. */
export function createAnalysisWorker(deps: AnalysisDeps): AnalysisWorker | undefined {
  const provider = createAnalysisProvider(deps.config, deps.credentials)
  if (!provider) return undefined
  const { config } = deps
  return new AnalysisWorker({
    db: deps.db,
    log: deps.log,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.onChange ? { onChange: deps.onChange } : {}),
    settings: {
      pollIntervalMs: config.pollIntervalMs,
      maxConcurrentJobs: config.maxConcurrentJobs,
      jobTimeoutMs: config.jobTimeoutMs,
      maxRetries: config.maxRetries,
    },
    run: analysisRunner({
      db: deps.db,
      provider,
      priceTable: deps.priceTable,
      budget: { maxTokens: config.maxInputTokens, headTokens: config.headTokens },
      maxOutputTokens: config.maxOutputTokens,
    }),
  })
}
