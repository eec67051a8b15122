import { z } from 'zod'

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : ['true', '1', 'yes'].includes(v)))

const int = (fallback: number, min = 0) =>
  z.coerce.number().int().min(min).optional().default(fallback)

const port = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1, 'must be a port number from 1 to 65535')
    .max(65535, 'must be a port number from 1 to 65535')
    .optional()
    .default(fallback)

const url = (fallback: string) => z.url().optional().default(fallback)
const optionalString = z.string().min(1).optional()

const envSchema = z.object({
  PORT: port(3000),
  DASHBOARD_PORT: port(3001),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: optionalString,
  DATA_DIR: z.string().min(1).default('./data'),
  CREDENTIALS_DIR: z.string().min(1).default('./credentials'),
  STORAGE_ENABLED: bool(true),
  CLAUDE_API_BASE_URL: url('https://api.anthropic.com'),
  CLAUDE_API_TIMEOUT: int(600_000, 1),
  PROXY_SERVER_TIMEOUT: int(660_000, 1),
  PROXY_MAX_REQUEST_BYTES: int(64 * 1024 * 1024, 1024),
  PROXY_UPSTREAM_CONNECTIONS: int(128, 1),
  ENABLE_CLIENT_AUTH: bool(false),
  PROXY_ALLOW_OPEN_RELAY: bool(false),
  // A short key falls to guessing despite the rate limit; `nexus keys generate` prints 40+.
  DASHBOARD_API_KEY: z
    .string()
    .min(16, 'must be at least 16 characters (`nexus keys generate` prints a good one)')
    .optional(),
  DASHBOARD_READ_ONLY: bool(false),
  DASHBOARD_TRUST_PROXY: bool(false),
  CLAUDE_OAUTH_TOKEN_URL: url('https://console.anthropic.com/v1/oauth/token'),
  CLAUDE_OAUTH_CLIENT_ID: z.string().default('9d1c250a-e61b-44d9-88ed-5944d1962f5e'),
  CLAUDE_OAUTH_AUTHORIZE_URL: url('https://claude.ai/oauth/authorize'),
  CLAUDE_OAUTH_REDIRECT_URI: url('https://console.anthropic.com/oauth/code/callback'),
  STORAGE_BATCH_SIZE: int(200, 1),
  STORAGE_FLUSH_INTERVAL_MS: int(50, 1),
  STORAGE_WRITE_TIMEOUT_MS: int(5_000, 100),
  STORAGE_MAX_QUEUE: int(5_000, 1),
  STORAGE_MAX_QUEUE_BYTES: int(64 * 1024 * 1024, 1024),
  STORAGE_RETRY_INTERVAL_MS: int(2_000, 10),
  STORE_STREAMING_CHUNKS: bool(true),
  RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
  PRICING_FILE: optionalString,
  SLACK_WEBHOOK_URL: z.url().optional(),
  SLACK_CHANNEL: optionalString,
  SLACK_USERNAME: optionalString,
  SLACK_ICON_EMOJI: optionalString,
  SLACK_ENABLED: bool(true),
  SLACK_TIMEOUT_MS: int(5_000, 100),
  SHUTDOWN_TIMEOUT_MS: int(5_000, 100),
  MCP_ENABLED: z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(),
  MCP_PROMPTS_DIR: z.string().min(1).default('./prompts'),
  MCP_GITHUB_OWNER: optionalString,
  MCP_GITHUB_REPO: optionalString,
  MCP_GITHUB_BRANCH: z.string().min(1).default('main'),
  MCP_GITHUB_PATH: z.string().default(''),
  MCP_GITHUB_TOKEN: optionalString,
  MCP_GITHUB_API_URL: url('https://api.github.com'),
  MCP_SYNC_INTERVAL: int(300, 0),
  METRICS_ENABLED: bool(true),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_DOMAIN_LABELS: bool(false),
  AI_WORKER_ENABLED: z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(),
  AI_WORKER_POLL_INTERVAL_MS: int(2_000, 10),
  AI_WORKER_MAX_CONCURRENT_JOBS: int(3, 1),
  AI_WORKER_JOB_TIMEOUT_MINUTES: z.coerce.number().positive().optional().default(5),
  AI_ANALYSIS_PROVIDER: z.enum(['claude', 'gemini']).optional(),
  AI_ANALYSIS_MAX_RETRIES: int(2, 0),
  AI_ANALYSIS_REQUEST_TIMEOUT_MS: int(120_000, 100),
  AI_ANALYSIS_MAX_INPUT_TOKENS: int(100_000, 1_000),
  AI_ANALYSIS_HEAD_TOKENS: int(20_000, 0),
  AI_ANALYSIS_MAX_OUTPUT_TOKENS: int(4_096, 256),
  AI_ANALYSIS_RATE_LIMIT_MAX: int(30, 1),
  AI_ANALYSIS_RATE_LIMIT_WINDOW_MINUTES: int(60, 1),
  AI_ANALYSIS_CLAUDE_MODEL: z.string().min(1).default('claude-sonnet-4-6'),
  AI_ANALYSIS_CLAUDE_BASE_URL: z.url().optional(),
  AI_ANALYSIS_CLAUDE_DOMAIN: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  GEMINI_API_KEY: optionalString,
  GEMINI_MODEL_NAME: z.string().min(1).default('gemini-2.5-flash'),
  GEMINI_API_BASE_URL: url('https://generativelanguage.googleapis.com'),
  SPARK_API_URL: url('http://localhost:8000'),
  SPARK_API_KEY: optionalString,
  SPARK_TIMEOUT_MS: int(5_000, 100),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
})

export type Env = z.input<typeof envSchema>

/** Every environment variable the process reads (the deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape)

/** Everything the process is configured with, parsed once at start and passed down. */
export interface Config {
  host: string
  proxyPort: number
  dashboardPort: number
  databaseUrl: string | undefined
  dataDir: string
  credentialsDir: string
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /** After SIGINT/SIGTERM the process exits by this deadline even if draining is not done. */
  shutdownTimeoutMs: number
  upstream: {
    baseUrl: string
    timeoutMs: number
    connections: number
  }
  proxy: {
    serverTimeoutMs: number
    maxRequestBytes: number
    enableClientAuth: boolean
    /** Lets a non-loopback bind spend credential files without client auth (an open relay). */
    allowOpenRelay: boolean
  }
  /** authorizeUrl and redirectUri are only used by `nexus oauth login`. */
  oauth: { tokenUrl: string; clientId: string; authorizeUrl: string; redirectUri: string }
  storage: {
    enabled: boolean
    batchSize: number
    flushIntervalMs: number
    writeTimeoutMs: number
    maxQueue: number
    maxQueueBytes: number
    retryIntervalMs: number
    storeStreamingChunks: boolean
    /** Requests older than this many days are pruned hourly; unset keeps everything. */
    retentionDays: number | undefined
  }
  /** trustProxy: rate limits key on X-Forwarded-For (only behind a reverse proxy). */
  dashboard: { apiKey: string | undefined; readOnly: boolean; trustProxy: boolean }
  /** A JSON price file overriding the built-in table (src/usage/price-table.ts). */
  usage: { pricingFile: string | undefined }
  /** `/metrics` on both ports (docs/operations.md); token: Bearer required when set. */
  metrics: { enabled: boolean; token: string | undefined; domainLabels: boolean }
  /** The global webhook; a credential file's `slack` replaces it for its domain. */
  slack: {
    webhookUrl: string | undefined
    channel: string | undefined
    username: string | undefined
    iconEmoji: string | undefined
    enabled: boolean
    timeoutMs: number
  }
  mcp: McpConfig
  analysis: AnalysisConfig
  /** Spark recommendations (docs/spark.md); without a key, feedback is off. */
  spark: { baseUrl: string; apiKey: string | undefined; timeoutMs: number }
}

export interface McpConfig {
  /** Undefined: on when the prompts directory exists (decided at start). */
  enabled: boolean | undefined
  promptsDir: string
  /** Set when MCP_GITHUB_OWNER and MCP_GITHUB_REPO are. */
  github: GithubSyncConfig | undefined
}

export interface GithubSyncConfig {
  owner: string
  repo: string
  branch: string
  /** Folder inside the repository, without leading or trailing slashes ('' = the root). */
  path: string
  token: string | undefined
  apiUrl: string
  /** Seconds between syncs while running; 0 syncs only at start and on demand. */
  intervalSeconds: number
}

/** AI analysis of conversations (docs/analysis.md). `provider` undefined: none configured. */
export interface AnalysisConfig {
  provider: 'claude' | 'gemini' | undefined
  /** AI_WORKER_ENABLED, defaulting to "a provider is configured". */
  workerEnabled: boolean
  pollIntervalMs: number
  maxConcurrentJobs: number
  jobTimeoutMs: number
  /** Attempts after the first before a job is `failed`. */
  maxRetries: number
  requestTimeoutMs: number
  maxInputTokens: number
  headTokens: number
  maxOutputTokens: number
  rateLimit: { max: number; windowMs: number }
  claude: {
    model: string
    baseUrl: string
    /** Spend this credential file's key or OAuth token instead of ANTHROPIC_API_KEY. */
    domain: string | undefined
    apiKey: string | undefined
  }
  gemini: { apiKey: string | undefined; model: string; baseUrl: string }
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(blankToUndefined(env))
  if (!parsed.success) {
    // One line per problem, each naming its variable: this is all the operator sees.
    const lines = parsed.error.issues.map((i) => `Invalid ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(lines.join('\n'))
  }
  const e = parsed.data
  return {
    host: e.HOST,
    proxyPort: e.PORT,
    dashboardPort: e.DASHBOARD_PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    credentialsDir: e.CREDENTIALS_DIR,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    upstream: {
      baseUrl: e.CLAUDE_API_BASE_URL.replace(/\/+$/, ''),
      timeoutMs: e.CLAUDE_API_TIMEOUT,
      connections: e.PROXY_UPSTREAM_CONNECTIONS,
    },
    proxy: {
      serverTimeoutMs: e.PROXY_SERVER_TIMEOUT,
      maxRequestBytes: e.PROXY_MAX_REQUEST_BYTES,
      enableClientAuth: e.ENABLE_CLIENT_AUTH,
      allowOpenRelay: e.PROXY_ALLOW_OPEN_RELAY,
    },
    oauth: {
      tokenUrl: e.CLAUDE_OAUTH_TOKEN_URL,
      clientId: e.CLAUDE_OAUTH_CLIENT_ID,
      authorizeUrl: e.CLAUDE_OAUTH_AUTHORIZE_URL,
      redirectUri: e.CLAUDE_OAUTH_REDIRECT_URI,
    },
    storage: {
      enabled: e.STORAGE_ENABLED,
      batchSize: e.STORAGE_BATCH_SIZE,
      flushIntervalMs: e.STORAGE_FLUSH_INTERVAL_MS,
      writeTimeoutMs: e.STORAGE_WRITE_TIMEOUT_MS,
      maxQueue: e.STORAGE_MAX_QUEUE,
      maxQueueBytes: e.STORAGE_MAX_QUEUE_BYTES,
      retryIntervalMs: e.STORAGE_RETRY_INTERVAL_MS,
      storeStreamingChunks: e.STORE_STREAMING_CHUNKS,
      retentionDays: e.RETENTION_DAYS,
    },
    dashboard: {
      apiKey: e.DASHBOARD_API_KEY,
      readOnly: e.DASHBOARD_READ_ONLY,
      trustProxy: e.DASHBOARD_TRUST_PROXY,
    },
    usage: { pricingFile: e.PRICING_FILE },
    metrics: {
      enabled: e.METRICS_ENABLED,
      token: e.METRICS_TOKEN,
      domainLabels: e.METRICS_DOMAIN_LABELS,
    },
    slack: {
      webhookUrl: e.SLACK_WEBHOOK_URL,
      channel: e.SLACK_CHANNEL,
      username: e.SLACK_USERNAME,
      iconEmoji: e.SLACK_ICON_EMOJI,
      enabled: e.SLACK_ENABLED,
      timeoutMs: e.SLACK_TIMEOUT_MS,
    },
    mcp: {
      enabled:
        e.MCP_ENABLED === undefined ? undefined : ['true', '1', 'yes'].includes(e.MCP_ENABLED),
      promptsDir: e.MCP_PROMPTS_DIR,
      github:
        e.MCP_GITHUB_OWNER && e.MCP_GITHUB_REPO
          ? {
              owner: e.MCP_GITHUB_OWNER,
              repo: e.MCP_GITHUB_REPO,
              branch: e.MCP_GITHUB_BRANCH,
              path: e.MCP_GITHUB_PATH.replace(/^\/+|\/+$/g, ''),
              token: e.MCP_GITHUB_TOKEN,
              apiUrl: e.MCP_GITHUB_API_URL.replace(/\/+$/, ''),
              intervalSeconds: e.MCP_SYNC_INTERVAL,
            }
          : undefined,
    },
    analysis: analysisConfig(e),
    spark: { baseUrl: e.SPARK_API_URL, apiKey: e.SPARK_API_KEY, timeoutMs: e.SPARK_TIMEOUT_MS },
  }
}

function analysisConfig(e: z.output<typeof envSchema>): AnalysisConfig {
  const claudeReady = e.ANTHROPIC_API_KEY !== undefined || e.AI_ANALYSIS_CLAUDE_DOMAIN !== undefined
  const provider =
    e.AI_ANALYSIS_PROVIDER ??
    (claudeReady ? 'claude' : e.GEMINI_API_KEY !== undefined ? 'gemini' : undefined)
  const worker = e.AI_WORKER_ENABLED
  return {
    provider,
    workerEnabled:
      worker === undefined ? provider !== undefined : ['true', '1', 'yes'].includes(worker),
    pollIntervalMs: e.AI_WORKER_POLL_INTERVAL_MS,
    maxConcurrentJobs: e.AI_WORKER_MAX_CONCURRENT_JOBS,
    jobTimeoutMs: Math.round(e.AI_WORKER_JOB_TIMEOUT_MINUTES * 60_000),
    maxRetries: e.AI_ANALYSIS_MAX_RETRIES,
    requestTimeoutMs: e.AI_ANALYSIS_REQUEST_TIMEOUT_MS,
    maxInputTokens: e.AI_ANALYSIS_MAX_INPUT_TOKENS,
    headTokens: Math.min(e.AI_ANALYSIS_HEAD_TOKENS, Math.floor(e.AI_ANALYSIS_MAX_INPUT_TOKENS / 2)),
    maxOutputTokens: e.AI_ANALYSIS_MAX_OUTPUT_TOKENS,
    rateLimit: {
      max: e.AI_ANALYSIS_RATE_LIMIT_MAX,
      windowMs: e.AI_ANALYSIS_RATE_LIMIT_WINDOW_MINUTES * 60_000,
    },
    claude: {
      model: e.AI_ANALYSIS_CLAUDE_MODEL,
      baseUrl: (e.AI_ANALYSIS_CLAUDE_BASE_URL ?? e.CLAUDE_API_BASE_URL).replace(/\/+$/, ''),
      domain: e.AI_ANALYSIS_CLAUDE_DOMAIN,
      apiKey: e.ANTHROPIC_API_KEY,
    },
    gemini: {
      apiKey: e.GEMINI_API_KEY,
      model: e.GEMINI_MODEL_NAME,
      baseUrl: e.GEMINI_API_BASE_URL.replace(/\/+$/, ''),
    },
  }
}

// An empty variable (`FOO=`) in .env means "not set", as most tools treat it.
function blankToUndefined(env: Record<string, string | undefined>) {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v
  return out
}
