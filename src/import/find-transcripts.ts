import { readdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** Where Claude Code keeps its transcripts: `~/.claude/projects/<project>/<session>.jsonl`. */
export function defaultTranscriptDir(home: string = homedir()): string {
  return join(home, '.claude', 'projects')
}

/**
 * Every `.jsonl` file under the given paths (a file counts as itself), sorted so that a
 * session's transcript comes before its sub-agents' (`<session>/subagents/*.jsonl`): a
 * sub-agent is filed under the call that spawned it, which must be stored first.
 */
export async function findTranscripts(paths: readonly string[]): Promise<string[]> {
  const found = new Set<string>()
  for (const path of paths) {
    const info = await stat(path)
    if (info.isFile()) found.add(path)
    else for (const file of await walk(path)) found.add(file)
  }
  // '.' sorts before '/': `abc.jsonl` before `abc/subagents/…`.
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
}
