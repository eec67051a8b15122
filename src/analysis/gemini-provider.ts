import { ApiError, GoogleGenAI } from '@google/genai'
import { PermanentJobError } from './analysis-worker.ts'
import { isPermanentStatus, type AnalysisProvider } from './provider.ts'

export interface GeminiProviderOptions {
  apiKey: string
  baseUrl: string
  model: string
  timeoutMs: number
}

/**
 * Gemini through the official SDK (generateContent, JSON answer). No `retryOptions`: the SDK
 * then makes one call and reports the HTTP status, and the job queue does the retrying.
 */
export function geminiProvider(options: GeminiProviderOptions): AnalysisProvider {
  const client = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: {
      baseUrl: options.baseUrl,
      timeout: options.timeoutMs,
    },
  })
  return {
    name: 'gemini',
    model: options.model,
    async complete(request) {
      try {
        const response = await client.models.generateContent({
          model: options.model,
          contents: request.messages.map((m) => ({
            role: m.role === 'assistant' ? 'model' : 'user',
            parts: [{ text: m.text }],
          })),
          config: {
            systemInstruction: request.system,
            maxOutputTokens: request.maxTokens,
            responseMimeType: 'application/json',
          },
        })
        return {
          text: response.text ?? '',
          inputTokens: response.usageMetadata?.promptTokenCount ?? 0,
          outputTokens: response.usageMetadata?.candidatesTokenCount ?? 0,
        }
      } catch (err) {
        throw describe(err)
      }
    },
  }
}

function describe(err: unknown): Error {
  if (err instanceof ApiError) {
    const message = `Gemini answered ${err.status}: ${err.message}`
    return isPermanentStatus(err.status) ? new PermanentJobError(message) : new Error(message)
  }
  const text = err instanceof Error ? err.message : String(err)
  if (err instanceof Error && (err.name === 'AbortError' || /abort|timed? ?out/i.test(text))) {
    return new Error('Gemini did not answer in time')
  }
  return new Error(`Gemini call failed: ${text}`)
}
