/**
 * What a `nexus` command's exit status means, so scripts can branch on it (docs/cli.md):
 * 0 done; 1 failed (network, database, file system); 2 the command line was wrong; 3 what was
 * named does not exist; 4 refused (the token endpoint rejected the code or token, a restore
 * target holds data and `--force` was not given).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, refused: 4 } as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** An error a command reports with one line and a specific exit code, no stack. */
export class CommandError extends Error {
  readonly exitCode: ExitCode
  constructor(exitCode: ExitCode, message: string) {
    super(message)
    this.exitCode = exitCode
  }
}
