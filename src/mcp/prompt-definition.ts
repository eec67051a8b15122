import Handlebars from 'handlebars'
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'
import { z } from 'zod'

/** One argument a prompt declares; MCP passes every argument as a string. */
export interface PromptArgument {
  name: string
  description?: string
  required: boolean
}

/** A prompt ready to serve: its declaration and its compiled template. */
export interface PromptDefinition {
  name: string
  description?: string
  arguments: PromptArgument[]
  /** The template source, for the dashboard. */
  template: string
  render(args: Record<string, string>): string
}

/** Why a file is not served, with the place to look. */
export interface PromptProblem {
  file: string
  line: number
  message: string
}

export type ParsedPrompt =
  { ok: true; prompt: PromptDefinition } | { ok: false; problem: PromptProblem }

// Claude Code turns a prompt into `/mcp__<server>__<name>`: keep names to what a command can be.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/

const argumentSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'must be a word (letters, digits, _ and -)'),
  description: z.string().optional(),
  required: z.boolean().optional(),
})

const fileSchema = z.object({
  description: z.string().optional(),
  arguments: z.array(argumentSchema).optional(),
  template: z.string(),
})

/** The prompt name for a file name, or undefined when the file is not a prompt file. */
export function promptNameOf(fileName: string): string | undefined {
  const match = /^(.+)\.ya?ml$/.exec(fileName)
  return match?.[1]
}

/**
 * Parses one prompt file. Pure: the caller reads the file. Every problem names the file and
 * the line, so an operator can fix it from the log line alone.
 */
export function parsePromptFile(file: string, text: string): ParsedPrompt {
  const fail = (line: number, message: string): ParsedPrompt => ({
    ok: false,
    problem: { file, line, message },
  })
  const name = promptNameOf(file.split('/').pop() ?? file)
  if (name === undefined || !NAME.test(name)) {
    return fail(0, 'the file name must be a prompt name (letters, digits, _ . -) ending in .yaml')
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  const yamlError = doc.errors[0]
  if (yamlError) {
    return fail(
      lines.linePos(yamlError.pos[0]).line,
      yamlError.message.split('\n')[0] ?? 'invalid YAML',
    )
  }
  const parsed = fileSchema.safeParse(doc.toJS())
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const path = issue.path.map(String)
    return fail(lineOf(doc, lines, path), `${path.join('.') || 'the file'}: ${issue.message}`)
  }
  const declared = parsed.data.arguments ?? []
  const duplicate = declared.findIndex((a, i) => declared.findIndex((b) => b.name === a.name) !== i)
  if (duplicate >= 0) {
    const line = lineOf(doc, lines, ['arguments', String(duplicate)])
    return fail(line, `argument "${declared[duplicate]!.name}" is declared twice`)
  }
  const compiled = compileTemplate(parsed.data.template)
  if (!compiled.ok) return fail(lineOf(doc, lines, ['template']), `template: ${compiled.message}`)
  const prompt: PromptDefinition = {
    name,
    arguments: declared.map((a) => ({
      name: a.name,
      required: a.required ?? false,
      ...(a.description === undefined ? {} : { description: a.description }),
    })),
    template: parsed.data.template,
    render: compiled.render,
  }
  if (parsed.data.description !== undefined) prompt.description = parsed.data.description
  return { ok: true, prompt }
}

/** Arguments a prompt requires that the call did not give (an empty string counts as given). */
export function missingArguments(
  prompt: PromptDefinition,
  given: Record<string, string>,
): string[] {
  return prompt.arguments
    .filter((a) => a.required && given[a.name] === undefined)
    .map((a) => a.name)
}

// One isolated Handlebars environment: no helpers a file could register, no partials, and
// Handlebars' own guard against prototype access stays on. `log` is dropped so a template
// cannot write to the server's output.
const handlebars = Handlebars.create()
handlebars.unregisterHelper('log')

type Compiled =
  { ok: true; render: (args: Record<string, string>) => string } | { ok: false; message: string }

function compileTemplate(source: string): Compiled {
  try {
    const template = handlebars.compile(source, {
      noEscape: true,
      strict: false,
      knownHelpersOnly: true,
      knownHelpers: { log: false },
    })
    // Handlebars compiles lazily: render once now so a syntax error is found at load time.
    template({})
    return { ok: true, render: (args) => template(args) }
  } catch (err) {
    return {
      ok: false,
      message: (err instanceof Error ? err.message : String(err)).split('\n')[0]!,
    }
  }
}

/** The 1-based line of the node at `path`, or of its nearest existing parent. */
function lineOf(doc: Document, lines: LineCounter, path: string[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const keys = path.slice(0, depth).map((k) => (/^\d+$/.test(k) ? Number(k) : k))
    const node = (keys.length === 0 ? doc.contents : doc.getIn(keys, true)) as
      Node | null | undefined
    if (node && (isMap(node) || isSeq(node) || 'range' in node) && node.range) {
      return lines.linePos(node.range[0]).line
    }
  }
  return 1
}
