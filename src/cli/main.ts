import { ConfigError } from '../config.ts'
import { generateClientKey } from '../credentials/generate-key.ts'
import { DataDirLockedError } from '../db/data-dir-lock.ts'
import { loadRuntimeConfig, openDatabase } from './runtime.ts'
import { serve } from './serve.ts'

const USAGE = `nexus <command>

  start               proxy (PORT), dashboard (DASHBOARD_PORT) and background work in one
                      process; embedded database in DATA_DIR unless DATABASE_URL is set
  proxy               the proxy alone (PostgreSQL, DATABASE_URL)
  dashboard           the dashboard alone (PostgreSQL, DATABASE_URL)
  migrate             apply database migrations and exit
  keys generate       print a new client API key for a credential file
`

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  try {
    await run(command, rest)
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirLockedError) {
      console.error(err.message)
      process.exit(1)
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
      return serve(config, log, parts, command)
    }
    case 'migrate': {
      const { config, log } = loadRuntimeConfig()
      const opened = await openDatabase(config, log)
      await opened.close()
      console.log('migrations applied')
      return
    }
    case 'keys':
      if (rest[0] === 'generate') return void console.log(generateClientKey())
      break
  }
  console.error(USAGE)
  process.exit(command ? 2 : 0)
}
