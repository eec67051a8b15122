import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'

const BIN = join(import.meta.dirname, '../bin/nexus.js')

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface NexusProcess {
  child: ChildProcess
  /** stdout and stderr so far. */
  output: () => string
  exited: Promise<number>
}

/** `node bin/nexus.js start` with only PATH and the given environment. */
export function startNexus(env: Record<string, string>): NexusProcess {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { PATH: process.env.PATH ?? '', NEXUS_FROM_SOURCE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()))
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
  return { child, output: () => text, exited }
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface NexusRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * `node bin/nexus.js <args>` to completion with only PATH and the given environment.
 * `respond` sees stdout as it grows and may answer on stdin (a pasted code, say); stdin is
 * closed once it returns a string, or at once without it.
 */
export function runNexus(
  args: string[],
  env: Record<string, string>,
  respond?: (stdout: string) => string | undefined,
): Promise<NexusRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', NEXUS_FROM_SOURCE: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let answered = respond === undefined
  if (answered) child.stdin.end()
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
    if (answered || !respond) return
    const answer = respond(stdout)
    if (answer === undefined) return
    answered = true
    child.stdin.end(answer)
  })
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  )
}
