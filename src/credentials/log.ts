/**
 * The logging surface this module needs. Structurally compatible with `console` and with
 * pino-style loggers, so the composition root can pass whichever it uses.
 */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export const silentLog: Log = {
  info: () => {},
  warn: () => {},
  error: () => {},
}
