import type { TurnSummary } from './turn-summary.ts'

/** Where and as whom a message is posted. */
export interface SlackTarget {
  webhookUrl: string
  channel?: string | undefined
  username?: string | undefined
  iconEmoji?: string | undefined
}

export interface SlackPayload {
  text: string
  channel?: string
  username?: string
  icon_emoji?: string
}

const USER_CHARS = 600
const ANSWER_CHARS = 1500
const TOOL_LINE_CHARS = 140
const TOOL_LINES = 15

/** One message for a completed turn: who asked what, what Claude answered and did. */
export function turnMessage(turn: TurnSummary, target: SlackTarget): SlackPayload {
  const lines = [header(turn)]
  if (turn.userText) lines.push(`*User:* ${escape(truncate(turn.userText, USER_CHARS))}`)
  if (turn.answerText) lines.push(`*Claude:* ${escape(truncate(turn.answerText, ANSWER_CHARS))}`)
  for (const call of turn.toolCalls.slice(0, TOOL_LINES)) {
    lines.push(`• \`${escape(truncate(call, TOOL_LINE_CHARS)).replace(/`/g, "'")}\``)
  }
  if (turn.toolCalls.length > TOOL_LINES)
    lines.push(`• … ${turn.toolCalls.length - TOOL_LINES} more tool calls`)
  return payload(lines.join('\n'), target)
}

/** One message for a failed request; `repeats` similar failures were held back before it. */
export function errorMessage(
  turn: TurnSummary,
  target: SlackTarget,
  repeats: number,
): SlackPayload {
  const e = turn.error
  const status = e?.status === null || e?.status === undefined ? '' : `${e.status} `
  const lines = [
    `:warning: *Request failed* · ${escape(turn.domain)} · ${escape(turn.model ?? 'unknown model')}`,
    `${escape(status + (e?.type ?? 'error'))}: ${escape(truncate(e?.message ?? '', USER_CHARS))}`,
  ]
  if (repeats > 0) lines.push(`(${repeats} more like this were not posted)`)
  lines.push(`request ${turn.requestId}`)
  return payload(lines.join('\n'), target)
}

function header(turn: TurnSummary): string {
  const t = turn.tokens
  const cache =
    t.cacheRead + t.cacheWrite > 0
      ? ` · cache ${n(t.cacheRead)} read / ${n(t.cacheWrite)} written`
      : ''
  const cost = turn.costUsd === null ? '' : ` · $${turn.costUsd.toFixed(4)}`
  return `*${escape(turn.model ?? 'unknown model')}* · ${escape(turn.domain)} · ${n(t.input)} in / ${n(t.output)} out${cache}${cost}`
}

function payload(text: string, target: SlackTarget): SlackPayload {
  const p: SlackPayload = { text }
  if (target.channel) p.channel = target.channel
  if (target.username) p.username = target.username
  if (target.iconEmoji) p.icon_emoji = target.iconEmoji
  return p
}

/**
 * Slack's three control characters. Model output and prompts are untrusted: unescaped, a
 * `<!channel>` in an answer would ping a whole channel and `<url|text>` would forge links.
 */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function truncate(text: string, max: number): string {
  const chars = [...text]
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

function n(value: number): string {
  return value.toLocaleString('en-US')
}
