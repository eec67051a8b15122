import type { DeriveFacts } from './record-exchange.ts'

/** Request facts from the body and headers; conversation-specific rules live in conversations/. */
export const deriveRequestFacts: DeriveFacts = ({ path, headers }) => ({
  requestType: path.endsWith('/count_tokens') ? 'count_tokens' : path === '/v1/messages' ? 'inference' : 'internal',
  sessionId: headers['x-claude-code-session-id'] ?? null,
  agentId: headers['x-claude-code-agent-id'] ?? null,
})
