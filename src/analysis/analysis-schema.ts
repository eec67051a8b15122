import { z } from 'zod'

const score = z.number().min(0).max(10)

/** The structured analysis a model must return (validated before it is stored as `result`). */
export const analysisSchema = z.object({
  summary: z.string().min(1),
  topics: z.array(z.string()),
  sentiment: z.enum(['positive', 'neutral', 'negative', 'mixed']),
  userIntent: z.string(),
  outcomes: z.array(z.string()),
  actionItems: z.array(
    z.object({ description: z.string(), priority: z.enum(['high', 'medium', 'low']) }),
  ),
  promptingTips: z.array(z.object({ issue: z.string(), suggestion: z.string() })),
  interactionPatterns: z.object({
    promptClarity: score,
    contextCompleteness: score,
    strengths: z.array(z.string()),
    commonIssues: z.array(z.string()),
  }),
  technicalDetails: z.object({
    frameworks: z.array(z.string()),
    toolsUsed: z.array(z.string()),
    issues: z.array(z.string()),
    solutions: z.array(z.string()),
  }),
  qualityScores: z.object({
    overall: score,
    taskCompletion: score,
    efficiency: score,
    communication: score,
  }),
})

export type ConversationAnalysis = z.infer<typeof analysisSchema>

/** The shape spelled out for the model (kept beside the schema so the two change together). */
export const ANALYSIS_SHAPE = `{
  "summary": string (3-6 sentences),
  "topics": string[],
  "sentiment": "positive" | "neutral" | "negative" | "mixed",
  "userIntent": string,
  "outcomes": string[],
  "actionItems": [{ "description": string, "priority": "high" | "medium" | "low" }],
  "promptingTips": [{ "issue": string, "suggestion": string }],
  "interactionPatterns": { "promptClarity": 0-10, "contextCompleteness": 0-10, "strengths": string[], "commonIssues": string[] },
  "technicalDetails": { "frameworks": string[], "toolsUsed": string[], "issues": string[], "solutions": string[] },
  "qualityScores": { "overall": 0-10, "taskCompletion": 0-10, "efficiency": 0-10, "communication": 0-10 }
}`

export type ParsedAnswer =
  { ok: true; analysis: ConversationAnalysis } | { ok: false; problems: string }

/** Reads a model's answer: JSON (optionally in a ``` fence) that matches the schema. */
export function parseAnswer(text: string): ParsedAnswer {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)
  const candidate = (fenced?.[1] ?? text).trim()
  const start = candidate.indexOf('{')
  const end = candidate.lastIndexOf('}')
  if (start < 0 || end < start) return { ok: false, problems: 'the answer holds no JSON object' }
  let json: unknown
  try {
    json = JSON.parse(candidate.slice(start, end + 1))
  } catch (err) {
    return { ok: false, problems: `the answer is not valid JSON (${(err as Error).message})` }
  }
  const parsed = analysisSchema.safeParse(json)
  if (parsed.success) return { ok: true, analysis: parsed.data }
  const problems = parsed.error.issues
    .slice(0, 20)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ')
  return { ok: false, problems }
}
