import type { RequestType } from '../classify-request.ts'

/** How one recorded request must be stored and linked. */
export interface ExpectedRequest {
  type: RequestType
  /** Requests with the same letter share one conversation; null: not linked at all. */
  conversation: string | null
  branch?: string
  /** How it found its place: see LinkKind in ../link-model.ts. */
  link?: 'root' | 'parent' | 'compaction' | 'subtask'
  /** Label of the request `parent_request_id` points at; null for none. */
  parent?: string | null
  /** Label of the request `parent_task_request_id` points at (the spawning request, inherited
   * along the sub-agent's branch). */
  subtaskOf?: string
  isSubtask?: boolean
  /** Index of the CLI run whose session id the request carries. */
  session: number
  /** Sub-agent requests: the n-th sub-agent id of the recording (a000…n after stabilising). */
  agent?: number
}

// Labels as the recorder wrote them (test-support/claude-code-script.ts, requestLabel).
const PLAIN = 'main "What is the capital of France?" #0'
const TITLE_MAIN = 'main "How do I reverse a list in Python?" #0'
const TOOLS = 'main "List the files here, then read notes.txt."'
const SPAWN = 'main "Use a helper agent to count the files in this project."'
const COUNT = 'subagent "Count the files in the project directory and report the number."'
const APPLE = 'main "Remember the word apple." #0'
const BANANA = 'main "Remember the word banana." #0'
const CONTINUED = 'main "What colour is that fruit?" #0'
const RESUMED = 'main "And what colour is this one?" #0'
const EXPLAIN = 'main "Explain what a hash function is." #0'
const EXAMPLE = 'main "Give an example of one." #0'
const SECURE = 'main "Is SHA-256 still considered secure?" #0'
const THANKS = 'main "Thanks, that is all." #0'
const PARALLEL =
  'main "Use two helper agents in parallel: one lists the files, one reads notes.txt."'
const LIST = 'subagent "List the files in the project directory."'
const READ = 'subagent "Read notes.txt in the project directory and quote it."'

const main = { type: 'inference', branch: 'main', isSubtask: false } as const

/**
 * The grouping each recorded scenario must produce, per request label (SPEC §4). Fields left
 * out are not asserted.
 */
export const expectedGrouping: Record<string, Record<string, ExpectedRequest>> = {
  plain: {
    [PLAIN]: { ...main, conversation: 'A', link: 'root', parent: null, session: 0 },
  },
  title: {
    // The title side call carries the session header too, but is never linked.
    title: { type: 'internal', conversation: null, session: 0 },
    [TITLE_MAIN]: { ...main, conversation: 'A', link: 'root', parent: null, session: 0 },
  },
  tools: {
    [`${TOOLS} #0`]: { ...main, conversation: 'A', link: 'root', parent: null, session: 0 },
    [`${TOOLS} #1`]: {
      ...main,
      conversation: 'A',
      link: 'parent',
      parent: `${TOOLS} #0`,
      session: 0,
    },
    [`${TOOLS} #2`]: {
      ...main,
      conversation: 'A',
      link: 'parent',
      parent: `${TOOLS} #1`,
      session: 0,
    },
  },
  subagent: {
    [`${SPAWN} #0`]: { ...main, conversation: 'A', link: 'root', parent: null, session: 0 },
    [`${COUNT} #0`]: {
      type: 'inference',
      conversation: 'A',
      branch: 'subtask_1',
      link: 'subtask',
      parent: `${SPAWN} #0`,
      subtaskOf: `${SPAWN} #0`,
      isSubtask: true,
      session: 0,
      agent: 1,
    },
    [`${COUNT} #1`]: {
      type: 'inference',
      conversation: 'A',
      branch: 'subtask_1',
      link: 'parent',
      parent: `${COUNT} #0`,
      subtaskOf: `${SPAWN} #0`,
      isSubtask: true,
      session: 0,
      agent: 1,
    },
    // After the sub-agent: back on main, not a sub-task.
    [`${SPAWN} #1`]: {
      ...main,
      conversation: 'A',
      link: 'parent',
      parent: `${SPAWN} #0`,
      session: 0,
    },
  },
  'continue-resume': {
    [APPLE]: { ...main, conversation: 'A', link: 'root', parent: null, session: 0 },
    [BANANA]: { ...main, conversation: 'B', link: 'root', parent: null, session: 1 },
    // --continue keeps the session id of the run it continues.
    [CONTINUED]: { ...main, conversation: 'B', link: 'parent', parent: BANANA, session: 1 },
    [RESUMED]: { ...main, conversation: 'A', link: 'parent', parent: APPLE, session: 0 },
  },
  compaction: {
    [EXPLAIN]: { ...main, conversation: 'A', link: 'root', parent: null, session: 0 },
    [EXAMPLE]: { ...main, conversation: 'A', link: 'parent', parent: EXPLAIN, session: 0 },
    // Claude Code 2.1 drops the last answer and appends its instructions to the last user
    // turn, so the compaction request is a second child of the first turn: a branch.
    compact: {
      type: 'inference',
      conversation: 'A',
      branch: 'branch_1',
      link: 'parent',
      parent: EXPLAIN,
      isSubtask: false,
      session: 0,
    },
    // The continuation: its messages match nothing earlier; its summary names the session,
    // whose newest request (the compaction call) it continues on a new compact_ branch.
    [SECURE]: {
      type: 'inference',
      conversation: 'A',
      branch: 'compact_1',
      link: 'compaction',
      parent: 'compact',
      isSubtask: false,
      session: 0,
    },
    [THANKS]: {
      type: 'inference',
      conversation: 'A',
      branch: 'compact_1',
      link: 'parent',
      parent: SECURE,
      isSubtask: false,
      session: 0,
    },
  },
  'parallel-subagents': {
    [`${PARALLEL} #0`]: { ...main, conversation: 'A', link: 'root', parent: null, session: 0 },
    // Numbered in the order the response spawned them, whichever request arrived first.
    [`${LIST} #0`]: {
      type: 'inference',
      conversation: 'A',
      branch: 'subtask_1',
      link: 'subtask',
      parent: `${PARALLEL} #0`,
      subtaskOf: `${PARALLEL} #0`,
      isSubtask: true,
      session: 0,
    },
    [`${READ} #0`]: {
      type: 'inference',
      conversation: 'A',
      branch: 'subtask_2',
      link: 'subtask',
      parent: `${PARALLEL} #0`,
      subtaskOf: `${PARALLEL} #0`,
      isSubtask: true,
      session: 0,
    },
    [`${LIST} #1`]: {
      type: 'inference',
      conversation: 'A',
      branch: 'subtask_1',
      link: 'parent',
      parent: `${LIST} #0`,
      subtaskOf: `${PARALLEL} #0`,
      isSubtask: true,
      session: 0,
    },
    [`${READ} #1`]: {
      type: 'inference',
      conversation: 'A',
      branch: 'subtask_2',
      link: 'parent',
      parent: `${READ} #0`,
      subtaskOf: `${PARALLEL} #0`,
      isSubtask: true,
      session: 0,
    },
    [`${PARALLEL} #1`]: {
      ...main,
      conversation: 'A',
      link: 'parent',
      parent: `${PARALLEL} #0`,
      session: 0,
    },
  },
}

// Recorded with Claude Code 2.1.332 (`--suffix=@2.1.332`). Plain and tool turns link as
// before. The sub-agent runs in the background: the main loop answers at once, and when the
// agent is done its result comes back as a user turn of reminders only (the task
// notification), which the main loop answers again — a third main turn, the parent of which
// is the second (before LINK_FACTS_VERSION 2 it started a conversation of its own).
expectedGrouping['plain@2.1.332'] = expectedGrouping.plain!
expectedGrouping['tools@2.1.332'] = expectedGrouping.tools!
expectedGrouping['subagent@2.1.332'] = {
  ...expectedGrouping.subagent!,
  [`${SPAWN} #2`]: {
    ...main,
    conversation: 'A',
    link: 'parent',
    parent: `${SPAWN} #1`,
    session: 0,
  },
}

// The interactive CLI (2.1.332) in a pseudo-terminal: two typed prompts, one session.
const TUI_FIRST = 'main "What is the capital of France?" #0'
const TUI_SECOND = 'main "And of Italy?" #0'
expectedGrouping['tui@2.1.332'] = {
  [TUI_FIRST]: { ...main, conversation: 'A', link: 'root', parent: null, session: 0 },
  [TUI_SECOND]: { ...main, conversation: 'A', link: 'parent', parent: TUI_FIRST, session: 0 },
}
