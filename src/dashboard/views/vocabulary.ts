/**
 * The dashboard's one token and branch vocabulary, shared by the request list, the
 * conversation list, the conversation tree and its facts (docs/usage-api.md#token-vocabulary).
 * "In" always includes the cache: it is what the model read.
 */
export const TOKENS_IN_LABEL = 'In (incl. cache)'
export const TOKENS_IN_TITLE = 'input + cache reads + cache writes'
export const TOKENS_OUT_LABEL = 'Out'
export const TOKENS_TOTAL_LABEL = 'Tokens (incl. cache)'
export const BRANCHES_TITLE = 'main line, forks and compactions (sub-agents apart)'

export interface TokenCounts {
  input_tokens: number
  cache_read_input_tokens: number
  cache_creation_input_tokens: number
}

export function tokensIn(r: TokenCounts): number {
  return (
    Number(r.input_tokens) +
    Number(r.cache_read_input_tokens) +
    Number(r.cache_creation_input_tokens)
  )
}

/** Lines of a conversation other than sub-agents: main, each fork, each compaction (as
 *  `GET /api/conversations` counts them). */
export function branchCount(c: { branch_count: number; compact_count: number }): number {
  return 1 + Number(c.branch_count) + Number(c.compact_count)
}
