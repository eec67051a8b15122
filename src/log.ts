import { scrubSecrets } from './redact.ts'

/** A small structured logger: one JSON line per event on stderr, secrets scrubbed. */
export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent'
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export function createLog(
  level: Level,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Log {
  const min = rank[level]
  const emit = (lvl: Exclude<Level, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (rank[lvl] < min) return
    const entry = { t: new Date().toISOString(), level: lvl, msg, ...fields }
    write(scrubSecrets(JSON.stringify(entry, errorReplacer)) + '\n')
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  }
}

function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) return { name: value.name, message: value.message }
  return value
}

export const silentLog: Log = createLog('silent')
