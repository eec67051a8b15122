import { watch, type FSWatcher } from 'node:fs'
import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Log } from '../log.ts'
import { splitDomain } from '../credentials/domain.ts'
import {
  parsePromptFile,
  promptNameOf,
  type PromptDefinition,
  type PromptProblem,
} from './prompt-definition.ts'

/** A file larger than this is skipped: a prompt is text a person wrote, not a data dump. */
export const MAX_PROMPT_FILE_BYTES = 1024 * 1024

/** The prompts one domain sees, with the `prompts/list` answer computed once per version. */
export interface PromptSet {
  get(name: string): PromptDefinition | undefined
  /** Sorted by name, as `prompts/list` returns it. */
  readonly list: ListedPrompt[]
}

export interface ListedPrompt {
  name: string
  description?: string
  arguments: { name: string; description?: string; required: boolean }[]
}

interface CachedFile {
  key: string
  prompt: PromptDefinition | undefined
}

export interface PromptCatalogDeps {
  dir: string
  log: Log
  /** Safety net for missed watch events (network volumes); 0 turns it off. */
  pollMs?: number
}

/**
 * The prompt files of `dir` (the shared set) and of its subfolders (one per domain, whose
 * files override shared ones of the same name). Files are re-read only when their size,
 * mtime or inode changed; a bad file is skipped and logged, the others keep being served.
 */
export class PromptCatalog {
  #files = new Map<string, CachedFile>()
  #problems: PromptProblem[] = []
  #sets = new Map<string, PromptSet>()
  #shared: Map<string, PromptDefinition> = new Map()
  #domains = new Map<string, Map<string, PromptDefinition>>()
  #listeners = new Set<() => void>()
  #watcher: FSWatcher | undefined
  #poll: NodeJS.Timeout | undefined
  #debounce: NodeJS.Timeout | undefined
  #loading: Promise<void> = Promise.resolve()
  version = 0

  constructor(private readonly deps: PromptCatalogDeps) {}

  get dir(): string {
    return this.deps.dir
  }

  /** Files skipped at the last load, with file, line and reason. */
  problems(): readonly PromptProblem[] {
    return this.#problems
  }

  /** The set for a domain: `<dir>/<domain>/`, else `<dir>/<hostname>/`, over the shared set. */
  forDomain(domain: string | undefined): PromptSet {
    const own =
      domain === undefined
        ? undefined
        : (this.#domains.get(domain) ?? this.#domains.get(splitDomain(domain).hostname))
    const key = own ? (domain ?? '') : ''
    let set = this.#sets.get(key)
    if (!set) {
      set = buildSet(own ? new Map([...this.#shared, ...own]) : this.#shared)
      this.#sets.set(key, set)
    }
    return set
  }

  /** Every served prompt as filed: the shared set (`set` undefined) and each domain folder's. */
  entries(): { set: string | undefined; prompt: PromptDefinition }[] {
    const out: { set: string | undefined; prompt: PromptDefinition }[] = []
    for (const prompt of this.#shared.values()) out.push({ set: undefined, prompt })
    for (const [set, prompts] of this.#domains)
      for (const prompt of prompts.values()) out.push({ set, prompt })
    return out.sort((a, b) =>
      (a.prompt.name + '\0' + (a.set ?? '')).localeCompare(b.prompt.name + '\0' + (b.set ?? '')),
    )
  }

  /** Called after each load that changed anything. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Loads the directory now; concurrent calls run one after the other. */
  load(): Promise<void> {
    this.#loading = this.#loading
      .then(() => this.#load())
      .catch((err: unknown) => {
        this.deps.log.error('could not read the prompts directory', {
          dir: this.deps.dir,
          error: err,
        })
      })
    return this.#loading
  }

  /** Loads, then reloads within ~100 ms of any change under the directory. */
  async start(): Promise<void> {
    await mkdir(this.deps.dir, { recursive: true })
    await this.load()
    try {
      this.#watcher = watch(this.deps.dir, { recursive: true }, () => this.#schedule())
      this.#watcher.on('error', (err) =>
        this.deps.log.warn('prompt watcher failed', { error: err }),
      )
    } catch (err) {
      this.deps.log.warn('cannot watch the prompts directory; polling only', { error: err })
    }
    const pollMs = this.deps.pollMs ?? 5_000
    if (pollMs > 0) this.#poll = setInterval(() => void this.load(), pollMs).unref()
  }

  async stop(): Promise<void> {
    this.#watcher?.close()
    clearInterval(this.#poll)
    clearTimeout(this.#debounce)
    await this.#loading
  }

  #schedule() {
    clearTimeout(this.#debounce)
    this.#debounce = setTimeout(() => void this.load(), 100)
  }

  async #load(): Promise<void> {
    const seen = new Map<string, CachedFile>()
    const problems: PromptProblem[] = []
    let changed = false
    const readSet = async (folder: string, rel: string) => {
      const out = new Map<string, PromptDefinition>()
      for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
        const name = entry.isFile() ? promptNameOf(entry.name) : undefined
        if (name === undefined) continue
        const file = rel ? `${rel}/${entry.name}` : entry.name
        const cached = await this.#readFile(join(folder, entry.name), file, problems)
        if (!cached) continue
        if (this.#files.get(file)?.key !== cached.key) changed = true
        seen.set(file, cached)
        if (cached.prompt) out.set(cached.prompt.name, cached.prompt)
      }
      return out
    }
    const shared = await readSet(this.deps.dir, '')
    const domains = new Map<string, Map<string, PromptDefinition>>()
    const entries = await readdir(this.deps.dir, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) {
        domains.set(
          entry.name.toLowerCase(),
          await readSet(join(this.deps.dir, entry.name), entry.name),
        )
      }
    }
    for (const file of this.#files.keys()) if (!seen.has(file)) changed = true
    this.#files = seen
    this.#problems = problems
    if (!changed) return
    this.#shared = shared
    this.#domains = domains
    this.#sets.clear()
    this.version++
    for (const listener of this.#listeners) listener()
  }

  async #readFile(path: string, file: string, problems: PromptProblem[]) {
    const info = await stat(path).catch(() => undefined)
    if (!info) return undefined
    const key = `${info.size}:${info.mtimeMs}:${info.ino}`
    const cached = this.#files.get(file)
    if (cached?.key === key) {
      if (!cached.prompt) problems.push(...this.#problems.filter((p) => p.file === file))
      return cached
    }
    let result: CachedFile
    if (info.size > MAX_PROMPT_FILE_BYTES) {
      const problem = {
        file,
        line: 0,
        message: `the file is ${info.size} bytes; the limit is ${MAX_PROMPT_FILE_BYTES}`,
      }
      result = { key, prompt: undefined }
      this.#report(problem, problems)
    } else {
      const parsed = parsePromptFile(file, await readFile(path, 'utf8').catch(() => ''))
      result = { key, prompt: parsed.ok ? parsed.prompt : undefined }
      if (!parsed.ok) this.#report(parsed.problem, problems)
    }
    return result
  }

  #report(problem: PromptProblem, problems: PromptProblem[]) {
    problems.push(problem)
    this.deps.log.error(
      `prompt file skipped: ${problem.file}:${problem.line}: ${problem.message}`,
      {
        file: problem.file,
        line: problem.line,
      },
    )
  }
}

function buildSet(prompts: Map<string, PromptDefinition>): PromptSet {
  const list = [...prompts.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p): ListedPrompt => {
      const listed: ListedPrompt = { name: p.name, arguments: p.arguments }
      if (p.description !== undefined) listed.description = p.description
      return listed
    })
  return { get: (name) => prompts.get(name), list }
}
