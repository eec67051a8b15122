import type { NormalizedBlock } from '../conversations/normalize-block.ts'

/** The MCP tool whose results are Spark recommendations (Claude Code's name for it). */
export const SPARK_TOOL = 'mcp__spark__get_recommendation'

export interface SparkSection {
  id: string
  title: string
}

/** One recommendation as the dashboard shows it (docs/spark.md: the tool result's format). */
export interface SparkRecommendation {
  /** The tool call it answers (its card's anchor on the page). */
  toolUseId: string
  sessionId: string
  /** What the agent asked (the tool input's `query`, when it sent one). */
  query: string | undefined
  markdown: string
  sections: SparkSection[]
}

// Spark session ids are opaque, but a page and a URL must be able to carry them.
const MAX_SESSION_ID = 500

/**
 * The recommendation in a `mcp__spark__get_recommendation` call and its result, or undefined
 * when the call is another tool, has no result yet, failed, or its text is not Spark's JSON
 * (`{"session_id": "...", "response": "markdown"}`).
 */
export function parseRecommendation(
  call: NormalizedBlock,
  result: NormalizedBlock | undefined,
): SparkRecommendation | undefined {
  if (call.name !== SPARK_TOOL || typeof call.id !== 'string') return undefined
  if (!result || result.is_error === true || !Array.isArray(result.content)) return undefined
  for (const block of result.content as NormalizedBlock[]) {
    if (block.type !== 'text' || typeof block.text !== 'string') continue
    const data = parseJson(block.text)
    const sessionId = data?.session_id
    const markdown = data?.response
    if (typeof sessionId !== 'string' || typeof markdown !== 'string') continue
    if (sessionId === '' || sessionId.length > MAX_SESSION_ID) continue
    return {
      toolUseId: call.id,
      sessionId,
      query: queryOf(call.input),
      markdown,
      sections: recommendationSections(markdown),
    }
  }
  return undefined
}

/**
 * Sections a reader can rate: headings marked `{#section-id}` (Spark's markers); without
 * markers, every level 1–3 heading, its id made from the title.
 */
export function recommendationSections(markdown: string): SparkSection[] {
  const marked: SparkSection[] = []
  const plain: SparkSection[] = []
  for (const line of markdown.split(/\r?\n/)) {
    const m = /^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*(?:\{#([^}\s]{1,100})\})?[ \t]*$/.exec(line)
    if (!m) continue
    const title = m[2]!.replace(/[ \t]+#+$/, '').trim()
    if (m[3]) marked.push({ id: m[3], title })
    else if (m[1]!.length <= 3) plain.push({ id: slug(title), title })
  }
  return unique(marked.length > 0 ? marked : plain)
}

/** Every distinct session id, in page order (one batched feedback lookup for a page). */
export function sessionIds(recommendations: readonly SparkRecommendation[]): string[] {
  return [...new Set(recommendations.map((r) => r.sessionId))]
}

function unique(sections: SparkSection[]): SparkSection[] {
  const seen = new Set<string>()
  return sections.filter((s) => s.id !== '' && !seen.has(s.id) && seen.add(s.id))
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100)
}

function queryOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  const record = input as Record<string, unknown>
  // Spark's tool has taken `{query}` and `{request: {query}}` over time.
  const nested = record.request as Record<string, unknown> | undefined
  const query = record.query ?? (typeof nested === 'object' ? nested?.query : undefined)
  return typeof query === 'string' ? query : undefined
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The recommendations among `blocks` (calls paired with their results by tool_use id). */
export function findRecommendations(
  blocks: Iterable<NormalizedBlock>,
  results: ReadonlyMap<string, NormalizedBlock>,
): SparkRecommendation[] {
  const found: SparkRecommendation[] = []
  for (const block of blocks) {
    if (block.type !== 'tool_use' || typeof block.id !== 'string') continue
    const recommendation = parseRecommendation(block, results.get(block.id))
    if (recommendation) found.push(recommendation)
  }
  return found
}
