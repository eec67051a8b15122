import { z } from 'zod'

export interface SparkConfig {
  /** SPARK_API_URL: the base every path below is joined to. */
  baseUrl: string
  /** SPARK_API_KEY; without it the dashboard shows recommendations but sends no feedback. */
  apiKey: string | undefined
  timeoutMs: number
}

export interface SectionFeedback {
  sectionId: string
  rating?: number | undefined
  comments?: string | undefined
}

export interface SparkFeedback {
  rating: number
  comments: string
  sections: SectionFeedback[]
  /** When Spark recorded it (ISO 8601), if it says. */
  submittedAt?: string | undefined
}

export type SparkFailure = 'not_configured' | 'unreachable' | 'timeout' | 'refused' | 'bad_answer'

/** Why Spark did not do what was asked; `message` is safe to show a dashboard user. */
export class SparkError extends Error {
  constructor(
    readonly reason: SparkFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'SparkError'
  }
}

// Spark is asked about at most this many sessions per call; a page with more makes more calls.
export const BATCH_SIZE = 50

const wireFeedback = z.object({
  rating: z.number().int().min(1).max(5),
  comments: z.string().optional().default(''),
  sections: z
    .array(
      z.object({
        section_id: z.string(),
        rating: z.number().int().min(1).max(5).nullish(),
        comments: z.string().nullish(),
      }),
    )
    .optional()
    .default([]),
  submitted_at: z.string().nullish(),
})
const batchAnswer = z.object({ feedback: z.record(z.string(), wireFeedback.nullable()) })

export interface SparkClient {
  readonly configured: boolean
  readonly baseUrl: string
  sendFeedback(sessionId: string, feedback: SparkFeedback): Promise<void>
  /** Feedback already given, by session id (ids without any are absent), in batches. */
  feedbackFor(sessionIds: readonly string[]): Promise<Map<string, SparkFeedback>>
  sessionFeedback(sessionId: string): Promise<SparkFeedback | undefined>
}

/** The Spark API over HTTP (docs/spark.md); the key goes in `x-api-key` and nowhere else. */
export function createSparkClient(
  config: SparkConfig,
  fetchImpl: typeof fetch = fetch,
): SparkClient {
  const base = config.baseUrl.replace(/\/+$/, '')

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    if (!config.apiKey) {
      throw new SparkError('not_configured', 'Spark is not configured (SPARK_API_KEY is not set)')
    }
    let res: Response
    try {
      res = await fetchImpl(`${base}${path}`, {
        method,
        headers: {
          'x-api-key': config.apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(config.timeoutMs),
      })
    } catch (error) {
      throw transportError(error, config.timeoutMs)
    }
    if (res.status === 404 && method === 'GET') return res
    if (!res.ok) {
      await res.body?.cancel()
      throw new SparkError('refused', `Spark answered HTTP ${res.status}`, res.status)
    }
    return res
  }

  return {
    configured: config.apiKey !== undefined,
    baseUrl: base,
    async sendFeedback(sessionId, feedback) {
      const res = await call('POST', '/feedback', toWire(sessionId, feedback))
      await res.body?.cancel()
    },
    async feedbackFor(sessionIds) {
      const found = new Map<string, SparkFeedback>()
      for (let i = 0; i < sessionIds.length; i += BATCH_SIZE) {
        const batch = sessionIds.slice(i, i + BATCH_SIZE)
        const res = await call('POST', '/feedback/batch', { session_ids: batch })
        const answer = batchAnswer.safeParse(await readJson(res))
        if (!answer.success) throw badAnswer()
        for (const id of batch) {
          const wire = Object.hasOwn(answer.data.feedback, id) ? answer.data.feedback[id] : null
          if (wire) found.set(id, fromWire(wire))
        }
      }
      return found
    },
    async sessionFeedback(sessionId) {
      // An id may hold `/`, `?` or `#`: encoded, it stays one path segment.
      const res = await call('GET', `/sessions/${encodeURIComponent(sessionId)}/feedback`)
      if (res.status === 404) {
        await res.body?.cancel()
        return undefined
      }
      const answer = wireFeedback.safeParse(await readJson(res))
      if (!answer.success) throw badAnswer()
      return fromWire(answer.data)
    },
  }
}

function toWire(sessionId: string, f: SparkFeedback) {
  return {
    session_id: sessionId,
    rating: f.rating,
    comments: f.comments,
    sections: f.sections.map((s) => ({
      section_id: s.sectionId,
      rating: s.rating ?? null,
      comments: s.comments ?? null,
    })),
  }
}

function fromWire(w: z.infer<typeof wireFeedback>): SparkFeedback {
  return {
    rating: w.rating,
    comments: w.comments,
    sections: w.sections.map((s) => ({
      sectionId: s.section_id,
      ...(s.rating ? { rating: s.rating } : {}),
      ...(s.comments ? { comments: s.comments } : {}),
    })),
    ...(w.submitted_at ? { submittedAt: w.submitted_at } : {}),
  }
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json()
  } catch {
    throw badAnswer()
  }
}

function badAnswer(): SparkError {
  return new SparkError('bad_answer', 'Spark answered with something that is not its feedback JSON')
}

function transportError(error: unknown, timeoutMs: number): SparkError {
  const name = error instanceof Error ? error.name : ''
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new SparkError('timeout', `Spark did not answer within ${timeoutMs} ms`)
  }
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : ''
  return new SparkError('unreachable', `Spark could not be reached${code}`)
}
