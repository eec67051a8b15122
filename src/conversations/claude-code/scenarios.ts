import type { ClaudeCodeScript } from '../../../test-support/claude-code-script.ts'

/** One invocation of the CLI within a scenario. */
export interface ScenarioRun {
  /** The prompt (`-p`); a slash command such as `/compact` works too. */
  prompt: string
  /** `continue`: `--continue`; `{ resume: n }`: `--resume` the session of run n (0-based). */
  session?: 'continue' | { resume: number }
  /** Extra environment, e.g. to let the CLI send its nonessential side calls. */
  env?: Record<string, string>
  /**
   * Run the interactive CLI (TUI) in a pseudo-terminal instead of `-p`: `prompt` is typed,
   * then each of these, in one session (test-support/run-claude-code-tui.ts).
   */
  typed?: string[]
}

export interface ClaudeCodeScenario {
  name: string
  /** What the recording contains, for docs/claude-code.md and the fixture itself. */
  summary: string
  /** Files written into the project directory before the first run. */
  files?: Record<string, string>
  script(project: string): ClaudeCodeScript
  runs: ScenarioRun[]
}

const NOTES = 'alpha\nbeta\n'

// Nonessential traffic on: the CLI also asks for a session title. A dead HTTP(S) proxy for
// everything but loopback keeps the run offline (the CLI would otherwise resolve
// api.anthropic.com for its other nonessential calls).
const WITH_SIDE_CALLS = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
}

export const scenarios: readonly ClaudeCodeScenario[] = [
  {
    name: 'plain',
    summary: 'One question, one text answer.',
    script: () => ({ prompts: { 'What is the capital of France?': [{ text: 'Paris.' }] } }),
    runs: [{ prompt: 'What is the capital of France?' }],
  },
  {
    name: 'title',
    summary:
      'One question with nonessential traffic allowed: the CLI also asks a small model for a session title (a side call without tools).',
    script: () => ({
      prompts: {
        'How do I reverse a list in Python?': [{ text: 'Use reversed(xs) or xs[::-1].' }],
      },
    }),
    runs: [{ prompt: 'How do I reverse a list in Python?', env: WITH_SIDE_CALLS }],
  },
  {
    name: 'tools',
    summary:
      'One prompt answered with a Bash call, then a Read call, then text: three round trips.',
    files: { 'notes.txt': NOTES },
    script: (project) => ({
      prompts: {
        'List the files here, then read notes.txt.': [
          {
            text: 'Listing the files first.',
            tools: [{ name: 'Bash', input: { command: 'ls', description: 'List files' } }],
          },
          { tools: [{ name: 'Read', input: { file_path: `${project}/notes.txt` } }] },
          { text: 'There is one file, notes.txt; it lists alpha and beta.' },
        ],
      },
    }),
    runs: [{ prompt: 'List the files here, then read notes.txt.' }],
  },
  {
    name: 'subagent',
    summary:
      'The main loop spawns one Agent sub-agent, which runs Bash and answers; the main loop then answers with its result (from 2.1.3xx the agent runs in the background and its result comes back as a task notification, a user turn of reminders only, which the main loop answers once more).',
    files: { 'a.txt': 'a\n', 'b.txt': 'b\n' },
    script: () => ({
      prompts: {
        'Use a helper agent to count the files in this project.': [
          {
            tools: [
              {
                name: 'Agent',
                input: {
                  description: 'Count project files',
                  prompt: 'Count the files in the project directory and report the number.',
                  subagent_type: 'general-purpose',
                },
              },
            ],
          },
          { text: 'The helper counted 2 files.' },
          // Claude Code ≥ 2.1.3xx runs the agent in the background and sends its result later
          // as a user turn of reminders only (the task notification).
          { text: 'The helper reported 2 files.' },
        ],
      },
      agents: {
        'Count the files in the project directory and report the number.': [
          {
            tools: [
              { name: 'Bash', input: { command: 'ls -1 | wc -l', description: 'Count files' } },
            ],
          },
          { text: 'There are 2 files.' },
        ],
      },
    }),
    runs: [{ prompt: 'Use a helper agent to count the files in this project.' }],
  },
  {
    name: 'continue-resume',
    summary:
      'Two sessions: the second is continued with --continue, then the first (no longer the latest) is resumed with --resume <session>.',
    script: () => ({
      prompts: {
        'Remember the word apple.': [{ text: 'Noted: apple.' }],
        'Remember the word banana.': [{ text: 'Noted: banana.' }],
        'What colour is that fruit?': [{ text: 'A ripe banana is yellow.' }],
        'And what colour is this one?': [{ text: 'An apple is usually red or green.' }],
      },
    }),
    runs: [
      { prompt: 'Remember the word apple.' },
      { prompt: 'Remember the word banana.' },
      { prompt: 'What colour is that fruit?', session: 'continue' },
      { prompt: 'And what colour is this one?', session: { resume: 0 } },
    ],
  },
  {
    name: 'compaction',
    summary:
      'Two turns, then /compact (the CLI sends the compaction request and keeps the summary), then two more turns on the compacted session.',
    script: () => ({
      prompts: {
        'Explain what a hash function is.': [
          { text: 'It maps data of any size to a fixed-size value.' },
        ],
        'Give an example of one.': [{ text: 'SHA-256.' }],
        'Is SHA-256 still considered secure?': [{ text: 'Yes, for integrity and signatures.' }],
        'Thanks, that is all.': [{ text: 'You are welcome.' }],
      },
      compactSummary: [
        '<analysis>The user asked about hash functions and an example.</analysis>',
        '',
        '<summary>',
        '1. Primary Request and Intent: the user asked what a hash function is and for an example.',
        '2. Key Technical Concepts: hash functions, SHA-256.',
        '7. Pending Tasks: none.',
        '</summary>',
      ].join('\n'),
    }),
    runs: [
      { prompt: 'Explain what a hash function is.' },
      { prompt: 'Give an example of one.', session: 'continue' },
      { prompt: '/compact', session: 'continue' },
      { prompt: 'Is SHA-256 still considered secure?', session: 'continue' },
      { prompt: 'Thanks, that is all.', session: 'continue' },
    ],
  },
  {
    name: 'parallel-subagents',
    summary:
      'One response spawns two Agent sub-agents at once (Bash in one, Read in the other); they run concurrently, then the main loop answers.',
    files: { 'notes.txt': NOTES },
    script: (project) => ({
      prompts: {
        'Use two helper agents in parallel: one lists the files, one reads notes.txt.': [
          {
            text: 'Starting both helpers.',
            tools: [
              {
                name: 'Agent',
                input: {
                  description: 'List project files',
                  prompt: 'List the files in the project directory.',
                  subagent_type: 'general-purpose',
                },
              },
              {
                name: 'Agent',
                input: {
                  description: 'Read the notes',
                  prompt: 'Read notes.txt in the project directory and quote it.',
                  subagent_type: 'general-purpose',
                },
              },
            ],
          },
          { text: 'The project holds notes.txt, which lists alpha and beta.' },
        ],
      },
      agents: {
        'List the files in the project directory.': [
          { tools: [{ name: 'Bash', input: { command: 'ls', description: 'List files' } }] },
          { text: 'notes.txt' },
        ],
        'Read notes.txt in the project directory and quote it.': [
          { tools: [{ name: 'Read', input: { file_path: `${project}/notes.txt` } }] },
          { text: 'notes.txt says: alpha, beta.' },
        ],
      },
    }),
    runs: [
      { prompt: 'Use two helper agents in parallel: one lists the files, one reads notes.txt.' },
    ],
  },
]

/** Recorded with a newer CLI only (`--suffix`): not part of the default set. */
export const tuiScenario: ClaudeCodeScenario = {
  name: 'tui',
  summary:
    'The interactive CLI in a pseudo-terminal: a question typed, answered, a follow-up typed, answered, /exit.',
  script: () => ({
    prompts: {
      'What is the capital of France?': [{ text: 'Paris.' }],
      'And of Italy?': [{ text: 'Rome.' }],
    },
  }),
  runs: [{ prompt: 'What is the capital of France?', typed: ['And of Italy?'] }],
}

export function getScenario(name: string): ClaudeCodeScenario {
  const found = scenarios.find((s) => s.name === name)
  if (found === undefined) throw new Error(`no Claude Code scenario named ${name}`)
  return found
}

/** CLI arguments for one run; `sessions` holds the session id each earlier run reported. */
export function cliArgs(run: ScenarioRun, sessions: readonly string[]): string[] {
  // The TUI gets no prompt arguments; what was typed is recorded after a marker.
  if (run.typed !== undefined)
    return ['--allowedTools', 'Bash Read', '# typed:', run.prompt, ...run.typed]
  const args = ['-p', run.prompt, '--output-format', 'json', '--allowedTools', 'Bash Read Agent']
  if (run.session === 'continue') args.push('--continue')
  else if (run.session !== undefined) {
    const session = sessions[run.session.resume]
    if (session === undefined) throw new Error(`run ${run.session.resume} reported no session`)
    args.push('--resume', session)
  }
  return args
}
