import Anthropic from '@anthropic-ai/sdk'
import { PermanentJobError } from './analysis-worker.ts'
import { isPermanentStatus, type AnalysisProvider } from './provider.ts'

export interface ClaudeProviderOptions {
  baseUrl: string
  model: string
  timeoutMs: number
  /**
   * The auth headers of each call: `x-api-key` from ANTHROPIC_API_KEY, or what a configured
   * domain's credential file resolves to (an API key or a fresh OAuth token).
   */
  authHeaders: () => Promise<Record<string, string>>
}

/** Claude through the official SDK, retries left to the job queue. */
export function claudeProvider(options: ClaudeProviderOptions): AnalysisProvider {
  return {
    name: 'claude',
    model: options.model,
    async complete(request) {
      const client = new Anthropic({
        apiKey: null,
        authToken: null,
        baseURL: options.baseUrl,
        timeout: options.timeoutMs,
        maxRetries: 0,
        defaultHeaders: await options.authHeaders(),
      })
      try {
        const message = await client.messages.create({
          model: options.model,
          max_tokens: request.maxTokens,
          system: request.system,
          messages: request.messages.map((m) => ({ role: m.role, content: m.text })),
        })
        const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('')
        return {
          text,
          inputTokens: message.usage.input_tokens,
          outputTokens: message.usage.output_tokens,
        }
      } catch (err) {
        throw describe(err)
      }
    },
  }
}

function describe(err: unknown): Error {
  if (err instanceof Anthropic.APIConnectionTimeoutError) {
    return new Error('Claude did not answer in time')
  }
  if (err instanceof Anthropic.APIError) {
    const message = `Claude answered ${err.status ?? 'without a status'}: ${err.message}`
    return isPermanentStatus(err.status) ? new PermanentJobError(message) : new Error(message)
  }
  return new Error(`Claude call failed: ${err instanceof Error ? err.message : String(err)}`)
}
