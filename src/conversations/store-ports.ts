import type { BatchWrites, LookupKeys, PendingRequest, Prefetched } from './link-model.ts'

/**
 * What linking needs from storage (conversation-store.ts implements it). Every call runs
 * inside one transaction that holds the linker lock, so one process links at a time.
 */
export interface LinkTransaction {
  /** The seq up to which requests are linked, and up to `limit` requests after it in order. */
  readPending(limit: number): Promise<{ linkedThrough: number; requests: PendingRequest[] }>
  /** The newest linked requests (seq ≤ linkedThrough) and spawns for these keys. */
  prefetch(keys: LookupKeys, linkedThrough: number): Promise<Prefetched>
  /** Saves a batch's changes and moves the mark to `writes.linkedThrough`. */
  write(writes: BatchWrites): Promise<void>
}

export interface RebuildTransaction extends LinkTransaction {
  /**
   * Forgets every link so linking starts over from the first request (with `rehash`, request
   * types, session evidence and hashes are derived from the stored bytes again); returns how
   * many requests there are.
   */
  restart(options: { rehash: boolean }): Promise<number>
  /** Conversations whose totals differ from before `restart`: how many, and the first few. */
  conversationDifferences(sample: number): Promise<{ count: number; sample: ConversationChange[] }>
}

export interface ConversationChange {
  conversationId: string
  change: 'added' | 'removed' | 'changed'
}

export interface ConversationStore {
  /** Runs `fn` in a linking transaction; undefined when another process is linking. */
  tryLinking<T>(fn: (tx: LinkTransaction) => Promise<T>): Promise<T | undefined>
  /** Runs `fn` in one transaction, waiting for the lock; rolled back unless `commit`. */
  rebuilding<T>(
    fn: (tx: RebuildTransaction) => Promise<T>,
    options: { commit: boolean },
  ): Promise<T>
}
