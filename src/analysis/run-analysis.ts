import type { Database } from '../db/database.ts'
import type { PriceTable } from '../usage/price-table.ts'
import { computeCost } from '../usage/cost.ts'
import { buildPrompt, correctionPrompt } from './analysis-prompt.ts'
import { parseAnswer } from './analysis-schema.ts'
import { PermanentJobError } from './analysis-worker.ts'
import { loadBranchSegments } from './branch-input-store.ts'
import { fitToBudget, type Budget } from './fit-budget.ts'
import type { ClaimedJob, JobResult } from './job-store.ts'
import type { AnalysisProvider, Completion } from './provider.ts'
import { buildTranscript } from './transcript.ts'

export interface RunAnalysisDeps {
  db: Database
  provider: AnalysisProvider
  priceTable: PriceTable
  budget: Budget
  maxOutputTokens: number
}

/**
 * One analysis job: the branch as redacted, fenced text → the model → a validated result.
 * An answer that does not validate gets one correction round; after that it is stored as raw
 * text with the problem noted rather than thrown away.
 */
export function analysisRunner(deps: RunAnalysisDeps) {
  return async function runAnalysis(job: ClaimedJob): Promise<JobResult> {
    const segments = await loadBranchSegments(deps.db, job.conversationId, job.branchId)
    const transcript = fitToBudget(buildTranscript(segments), deps.budget)
    if (transcript.entries.length === 0) {
      throw new PermanentJobError(
        `Conversation ${job.conversationId} has no stored messages on branch ${job.branchId}`,
      )
    }
    const prompt = buildPrompt(transcript, job.customPrompt)
    const calls: Completion[] = []
    const ask = async (p: typeof prompt) => {
      const c = await deps.provider.complete({ ...p, maxTokens: deps.maxOutputTokens })
      calls.push(c)
      return c.text
    }
    let answer = await ask(prompt)
    let parsed = parseAnswer(answer)
    if (!parsed.ok) {
      answer = await ask(correctionPrompt(prompt, answer, parsed.problems))
      parsed = parseAnswer(answer)
    }
    const inputTokens = calls.reduce((n, c) => n + c.inputTokens, 0)
    const outputTokens = calls.reduce((n, c) => n + c.outputTokens, 0)
    return {
      result: parsed.ok ? parsed.analysis : null,
      rawText: parsed.ok ? null : answer,
      error: parsed.ok
        ? null
        : `The model's answer did not validate (stored as text): ${parsed.problems}`,
      provider: deps.provider.name,
      model: deps.provider.model,
      inputTokens,
      outputTokens,
      costUsd: costOf(deps, inputTokens, outputTokens),
    }
  }
}

function costOf(deps: RunAnalysisDeps, input: number, output: number): number | null {
  const usage = {
    input_tokens: input,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  }
  return computeCost(deps.provider.model, usage, deps.priceTable)?.totalUsd ?? null
}
