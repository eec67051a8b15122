import type { Context } from 'hono'

/** The one limiter every key check shares (login form, X-Dashboard-Key, usage API). */
export interface GuessGuard {
  limiter: LoginLimiter
  addressOf: (c: Context) => string
}

/** How long a blocked client is told to wait, in seconds (the whole window, to be safe). */
export const RETRY_AFTER_SECONDS = 300

/**
 * Slows down key guessing: at most `maxFailures` failed logins per client address within
 * `windowMs`. Keys are long random strings, so this mainly protects a weak DASHBOARD_API_KEY
 * an operator chose by hand. Bounded memory: the oldest addresses are forgotten first.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>()

  constructor(
    private readonly clock: () => number,
    private readonly maxFailures = 10,
    private readonly windowMs = 5 * 60 * 1000,
    private readonly maxAddresses = 10_000,
  ) {}

  blocked(address: string): boolean {
    return this.#recent(address).length >= this.maxFailures
  }

  fail(address: string): void {
    const list = this.#recent(address)
    list.push(this.clock())
    this.#failures.delete(address)
    this.#failures.set(address, list)
    if (this.#failures.size > this.maxAddresses) {
      const oldest = this.#failures.keys().next()
      if (!oldest.done) this.#failures.delete(oldest.value)
    }
  }

  #recent(address: string): number[] {
    const since = this.clock() - this.windowMs
    return (this.#failures.get(address) ?? []).filter((t) => t > since)
  }
}
