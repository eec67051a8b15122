import type { PromptMessage } from './analysis-prompt.ts'

export interface CompletionRequest {
  system: string
  messages: PromptMessage[]
  maxTokens: number
}

export interface Completion {
  text: string
  inputTokens: number
  outputTokens: number
}

/** A model that analyses: Claude (Messages API) or Gemini (generateContent). */
export interface AnalysisProvider {
  name: 'claude' | 'gemini'
  model: string
  complete(request: CompletionRequest): Promise<Completion>
}

/** Statuses a retry cannot fix: the request or the credentials are wrong. */
export function isPermanentStatus(status: number | undefined): boolean {
  return status !== undefined && [400, 401, 403, 404, 413, 422].includes(status)
}
