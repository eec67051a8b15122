import { classifyRequest } from '../conversations/classify-request.ts'
import { extractSessionEvidence } from '../conversations/session-evidence.ts'
import type { DeriveFacts } from './record-exchange.ts'

/**
 * Request type and session evidence, by the rules in src/conversations. Runs when the record
 * is built, after the client has its response; hashing and linking wait for the linker.
 */
export const deriveRequestFacts: DeriveFacts = ({ method, path, headers, body }) => {
  const evidence = extractSessionEvidence(headers, body)
  return {
    requestType: classifyRequest({ method, path, body }),
    sessionId: evidence.sessionId ?? null,
    agentId: evidence.agentId ?? null,
  }
}
