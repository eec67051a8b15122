import { ConfigError } from '../config.ts'
import { generateClientKey } from '../credentials/generate-key.ts'
import { prepareDashboardAccess } from '../dashboard/auth/dashboard-access.ts'
import { DataDirLockedError } from '../db/data-dir-lock.ts'
import { restrictNewFiles } from '../db/data-dir-mode.ts'
import { ANALYSIS_USAGE, analysisCommand } from './analysis-command.ts'
import { CONVERSATIONS_USAGE, conversationsCommand } from './conversations-command.ts'
import { IMPORT_USAGE, importCommand } from './import-command.ts'
import { DB_USAGE, dbCommand } from './db-command.ts'
import { CommandError } from './exit-codes.ts'
import { OAUTH_USAGE, oauthCommand } from './oauth-command.ts'
import { workerCommand } from './worker-command.ts'
import { preflight, StartupError } from './preflight.ts'
import { promptsSyncCommand } from './prompts-command.ts'
import { loadRuntimeConfig, openDatabase } from './runtime.ts'
import { demo } from './demo.ts'
import { serve } from './serve.ts'
import { CONVERT_USAGE, convertCommand, PRUNE_USAGE, pruneCommand } from './storage-command.ts'

export const USAGE = `nexus <command>

  start               proxy (PORT), dashboard (DASHBOARD_PORT) and background work in one
                      process; embedded database in DATA_DIR unless DATABASE_URL is set
  proxy               the proxy alone (PostgreSQL, DATABASE_URL)
  dashboard           the dashboard alone (PostgreSQL, DATABASE_URL)
  worker              the AI analysis worker alone (PostgreSQL, DATABASE_URL)
  analysis jobs|reset-stuck|fail-exceeded|run <conversationId>
                      AI analysis jobs (docs/analysis.md)
  migrate             apply database migrations and exit
  db backup [--file <path>]
                      a consistent copy of the database (PGlite or PostgreSQL)
  db restore --file <path> [--force]
                      put a backup back into an empty database (docs/cli.md)
  conversations rebuild [--dry-run] [--rehash]
                      relink stored requests into conversations (docs/conversations.md)
  prompts sync        pull the MCP prompts from GitHub once (docs/mcp.md)
  prune --older-than <age>
                      delete requests older than <age> (30d, 12h) and content no longer used
  convert-bodies      rewrite requests stored whole into the compact format (docs/storage.md)
  import [PATH…] [--dry-run] [--domain NAME]
                      store Claude Code transcripts (~/.claude/projects) as imported
                      requests, once each (docs/import.md)
  conversations explain <requestA> <requestB>
                      why two requests did or did not link: each rule and its verdict
  conversations copy <conversationId> --to <DATABASE_URL>
                      copy a conversation with its chunks and usage to another database
  oauth login <domain>
                      sign a domain in with a Claude subscription (PKCE, paste the code)
  oauth status        every credential file: kind, account, expiry, last refresh
  oauth refresh <domain>
                      refresh a domain's OAuth token now (docs/cli.md)
  keys generate       print a new client API key for a credential file
  login-link          print a single-use dashboard login link (key from DATA_DIR or config)
  demo                proxy and dashboard on a temporary database seeded with demo data

  --help, -h          this help (after any command: its help; nothing runs)

Configuration: environment variables or .env in the working directory (README.md).
`

const HELP_FLAGS = new Set(['--help', '-h', 'help'])

const COMMAND_USAGE: Record<string, string> = {
  conversations: CONVERSATIONS_USAGE,
  oauth: OAUTH_USAGE,
  db: DB_USAGE,
  prune: PRUNE_USAGE,
  'convert-bodies': CONVERT_USAGE,
  import: IMPORT_USAGE,
  analysis: ANALYSIS_USAGE,
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (argv.some((arg) => HELP_FLAGS.has(arg))) {
    // Help never runs anything: `nexus start --help` must not start a server.
    process.stdout.write((command && COMMAND_USAGE[command]) ?? USAGE)
    return
  }
  restrictNewFiles()
  try {
    await run(command, rest)
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof DataDirLockedError ||
      err instanceof StartupError
    ) {
      console.error(err.message)
      process.exit(1)
    }
    if (err instanceof CommandError) {
      console.error(err.message)
      process.exit(err.exitCode)
    }
    throw err
  }
}

async function run(command: string | undefined, rest: string[]): Promise<void> {
  switch (command) {
    case 'start':
    case 'proxy':
    case 'dashboard': {
      const { config, log } = loadRuntimeConfig()
      const parts = {
        proxy: command !== 'dashboard',
        dashboard: command !== 'proxy',
      }
      await preflight(config, {
        command: `nexus ${command}`,
        proxyPort: parts.proxy,
        dashboardPort: parts.dashboard,
        database: config.storage.enabled || parts.dashboard,
        postgresOnly: command !== 'start',
        dataDir: true,
      })
      return serve(config, log, parts, command)
    }
    case 'migrate': {
      const { config, log } = loadRuntimeConfig()
      await preflight(config, { command: 'nexus migrate', database: true })
      const opened = await openDatabase(config, log)
      await opened.close()
      console.log('migrations applied')
      return
    }
    case 'demo': {
      const { config, log } = loadRuntimeConfig()
      await preflight(config, { command: 'nexus demo', proxyPort: true, dashboardPort: true })
      return demo(config, log)
    }
    case 'login-link': {
      const { config } = loadRuntimeConfig()
      const access = await prepareDashboardAccess({
        ...config.dashboard,
        host: config.host,
        port: config.dashboardPort,
        dataDir: config.dataDir,
        now: Date.now(),
      })
      if (!access.loginUrl) {
        console.error(
          'The dashboard has no key (DASHBOARD_READ_ONLY=true without DASHBOARD_API_KEY): no login needed.',
        )
        process.exit(1)
      }
      return void console.log(access.loginUrl)
    }
    case 'conversations':
      return process.exit(await conversationsCommand(rest))
    case 'prompts':
      if (rest[0] === 'sync') {
        const { config, log } = loadRuntimeConfig()
        return process.exit(await promptsSyncCommand(config, log))
      }
      break
    case 'prune':
      return process.exit(await pruneCommand(rest))
    case 'convert-bodies':
      return process.exit(await convertCommand(rest))
    case 'import':
      return process.exit(await importCommand(rest))
    case 'db':
      return process.exit(await dbCommand(rest, loadRuntimeConfig().config))
    case 'oauth':
      return process.exit(await oauthCommand(rest, loadRuntimeConfig().config))
    case 'analysis':
      return process.exit(await analysisCommand(rest))
    case 'worker':
      return workerCommand()
    case 'keys':
      if (rest[0] === 'generate') return void console.log(generateClientKey())
      break
  }
  console.error(USAGE)
  process.exit(command ? 2 : 0)
}
