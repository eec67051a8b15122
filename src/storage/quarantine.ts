import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { scrubSecrets } from '../redact.ts'
import type { RequestRecord } from './request-record.ts'

/**
 * Records the database refuses one by one while it answers everything else, kept on disk
 * (`DATA_DIR/quarantine/records.jsonl`, one `{quarantinedAt, reason, record}` per line, the
 * record redacted as stored) so they never block the records behind them and are not lost.
 */
export class Quarantine {
  readonly path: string
  readonly #dir: string
  readonly #ids = new Set<string>()
  #chain: Promise<unknown> = Promise.resolve()

  constructor(dir: string) {
    this.#dir = dir
    this.path = join(dir, 'records.jsonl')
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 })
    const file = await open(this.path, 'a+', 0o600)
    const lines = createInterface({ input: file.createReadStream(), crlfDelay: Infinity })
    for await (const line of lines) {
      const id = requestIdOf(line)
      if (id) this.#ids.add(id)
    }
  }

  /** Records in the file. */
  count(): number {
    return this.#ids.size
  }

  /** Appends and syncs the record; false when it was quarantined before (a replay). */
  add(record: RequestRecord, reason: string, now: Date): Promise<boolean> {
    if (this.#ids.has(record.requestId)) return Promise.resolve(false)
    this.#ids.add(record.requestId)
    const line = JSON.stringify({
      quarantinedAt: now.toISOString(),
      reason: scrubSecrets(reason),
      record,
    })
    const write = this.#chain.then(async () => {
      const file = await open(this.path, 'a', 0o600)
      try {
        await file.write(line + '\n')
        await file.datasync()
      } finally {
        await file.close()
      }
      return true
    })
    this.#chain = write.catch(() => undefined)
    return write
  }
}

function requestIdOf(line: string): string | undefined {
  try {
    const id = (JSON.parse(line) as { record?: { requestId?: unknown } }).record?.requestId
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}
