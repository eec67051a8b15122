import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/** The Claude Code CLI installed as a dev dependency (a native binary in 2.1.x). */
export const claudeCodeBinary = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'node_modules',
  '.bin',
  'claude',
)

export function claudeCodeInstalled(): boolean {
  return existsSync(claudeCodeBinary)
}

/** A scratch HOME and project directory, so no run sees a real user's settings or history. */
export interface ClaudeCodeSandbox {
  /** The directory holding both; recordings replace it with a fixed path. */
  root: string
  home: string
  cwd: string
  remove(): Promise<void>
}

export async function createClaudeCodeSandbox(): Promise<ClaudeCodeSandbox> {
  const root = await mkdtemp(join(tmpdir(), 'nexus-cc-'))
  const home = join(root, 'home')
  const cwd = join(root, 'project')
  await mkdir(home)
  await mkdir(cwd)
  return { root, home, cwd, remove: () => rm(root, { recursive: true, force: true }) }
}

export interface ClaudeCodeRunOptions {
  /** Where the CLI sends its API calls: the proxy (or the mock). */
  baseUrl: string
  /** A fake key; it must look like an API key for the CLI to use it. */
  apiKey: string
  sandbox: ClaudeCodeSandbox
  /** CLI arguments after the binary, e.g. `['-p', 'hi', '--output-format', 'json']`. */
  args: string[]
  /** `PATH` for the CLI and the Bash tool; the caller passes its own. */
  path: string
  timeoutMs?: number
  env?: Record<string, string>
  /** Another CLI than the dev dependency, e.g. a newer release installed elsewhere. */
  binary?: string
}

export interface ClaudeCodeRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout parsed, with `--output-format json`. */
  result: ClaudeCodeResult | undefined
  durationMs: number
}

/** The fields of `--output-format json` that tests read. */
export interface ClaudeCodeResult {
  type: string
  subtype: string
  is_error: boolean
  result?: string
  session_id: string
  num_turns: number
  [key: string]: unknown
}

/**
 * Runs the real CLI offline. The environment is built from scratch rather than inherited:
 * a developer's own ANTHROPIC_* variables or settings must never leak into a recording.
 */
export async function runClaudeCode(options: ClaudeCodeRunOptions): Promise<ClaudeCodeRun> {
  const env: Record<string, string> = {
    PATH: options.path,
    HOME: options.sandbox.home,
    TMPDIR: tmpdir(),
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: options.apiKey,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    ...options.env,
  }
  const started = performance.now()
  const child = spawn(options.binary ?? claudeCodeBinary, options.args, {
    cwd: options.sandbox.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
    (resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code, sig) => resolve([code, sig]))
    },
  ).finally(() => clearTimeout(timer))
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    result: parseResult(stdout),
    durationMs: Math.round(performance.now() - started),
  }
}

function parseResult(stdout: string): ClaudeCodeResult | undefined {
  try {
    return JSON.parse(stdout) as ClaudeCodeResult
  } catch {
    return undefined
  }
}

/** `claude --version`, e.g. `2.1.197`. */
export async function claudeCodeVersion(
  sandbox: ClaudeCodeSandbox,
  binary = claudeCodeBinary,
): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ['--version'], {
    env: { PATH: '/usr/bin:/bin', HOME: sandbox.home, DISABLE_AUTOUPDATER: '1' },
  })
  return stdout.trim().split(/\s+/)[0] ?? ''
}
