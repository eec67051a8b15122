import { scrubSecrets } from '../redact.ts'

// What goes to an outside model besides secrets (src/redact.ts): personal data and credentials
// src/redact.ts has no reason to look for in stored rows.
const PATTERNS: Array<[RegExp, string]> = [
  // Connection strings with a password: scheme://user:password@host → the password goes.
  [/\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]+:)[^\s@/]+@/gi, '$1[redacted]@'],
  [/\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b/gi, '[email]'],
  [/\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}/g, '[token]'],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[aws-key]'],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, '[key]'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, '[token]'],
  [/\bsk-(?:proj-|live_|test_)?[A-Za-z0-9_-]{20,}/g, '[key]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[jwt]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[private-key]'],
  [/\b((?:password|passwd|pwd|secret)\s*[:=]\s*)\S{4,}/gi, '$1[redacted]'],
]

// 13–19 digits with optional single spaces or dashes: card-number shaped.
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g

/** Text made fit to leave for an analysis model: secrets, personal data and card numbers masked. */
export function redactForModel(text: string): string {
  let out = scrubSecrets(text)
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out.replace(CARD, (m) => (luhn(m.replace(/\D/g, '')) ? '[card]' : m))
}

function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}
