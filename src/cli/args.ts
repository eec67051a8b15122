import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CommandError, EXIT } from './exit-codes.ts'

type Options = NonNullable<ParseArgsConfig['options']>

/** `node:util` parseArgs, strict, with a wrong command line turned into exit code 2. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new CommandError(EXIT.usage, `${(err as Error).message}\n\n${usage}`)
  }
}
