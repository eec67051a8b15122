import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { claudeCodeBinary, type ClaudeCodeRun, type ClaudeCodeSandbox } from './run-claude-code.ts'

export interface ClaudeCodeTuiOptions {
  baseUrl: string
  apiKey: string
  sandbox: ClaudeCodeSandbox
  /** Typed one after the other into one interactive session. */
  prompts: string[]
  path: string
  binary?: string
  /** How many API calls the upstream has seen so far: typing waits until it stops growing. */
  calls: () => number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs the interactive CLI (the TUI) in a pseudo-terminal (`script -qfc`), types each prompt,
 * waits until its API calls are done, then `/exit`. A fresh HOME would first show onboarding,
 * the folder trust dialog and the API key question; a `.claude.json` answers them.
 */
export async function runClaudeCodeTui(options: ClaudeCodeTuiOptions): Promise<ClaudeCodeRun> {
  await writeFile(
    join(options.sandbox.home, '.claude.json'),
    JSON.stringify({
      hasCompletedOnboarding: true,
      theme: 'dark',
      customApiKeyResponses: { approved: [options.apiKey.slice(-20)], rejected: [] },
      projects: {
        [options.sandbox.cwd]: {
          hasTrustDialogAccepted: true,
          hasCompletedProjectOnboarding: true,
        },
      },
    }),
  )
  const env = {
    PATH: options.path,
    HOME: options.sandbox.home,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: options.apiKey,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
  }
  const binary = options.binary ?? claudeCodeBinary
  const started = performance.now()
  const child = spawn('script', ['-qfc', `'${binary}' --allowedTools 'Bash Read'`, '/dev/null'], {
    cwd: options.sandbox.cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (code, signal) => resolve([code, signal])),
  )
  await sleep(5000) // the TUI takes a few seconds to draw its prompt
  for (const prompt of options.prompts) {
    const before = options.calls()
    child.stdin.write(prompt)
    await sleep(500)
    child.stdin.write('\r')
    await settled(options.calls, before)
  }
  child.stdin.write('/exit\r')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  const [exitCode, signal] = await closed.finally(() => clearTimeout(timer))
  const sessionId = /claude --resume ([0-9a-f-]{36})/.exec(stdout)?.[1] ?? ''
  return {
    exitCode,
    signal,
    stdout,
    stderr: '',
    result: {
      type: 'result',
      subtype: 'success',
      is_error: sessionId === '',
      session_id: sessionId,
      num_turns: options.prompts.length,
    },
    durationMs: Math.round(performance.now() - started),
  }
}

// Done when at least one call came in and none for two seconds.
async function settled(calls: () => number, before: number): Promise<void> {
  const deadline = Date.now() + 60_000
  let last = calls()
  let quietSince = Date.now()
  while (Date.now() < deadline) {
    await sleep(250)
    const now = calls()
    if (now !== last) {
      last = now
      quietSince = Date.now()
    } else if (now > before && Date.now() - quietSince > 2000) return
  }
  throw new Error('the TUI sent no request within 60 s')
}
