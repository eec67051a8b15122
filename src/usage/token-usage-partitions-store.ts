import { sql } from 'kysely'
import type { Database } from '../db/database.ts'

// Any constant works; every process maintaining partitions must use the same one.
const PARTITION_LOCK_ID = 727_020

export interface MonthPartition {
  name: string
  /** Inclusive, UTC midnight of the 1st. */
  from: Date
  /** Exclusive: the 1st of the following month. */
  to: Date
}

/** The monthly partition holding `at`, named `token_usage_yYYYYmMM`. */
export function monthPartition(at: Date): MonthPartition {
  const y = at.getUTCFullYear()
  const m = at.getUTCMonth()
  return {
    name: `token_usage_y${y}m${String(m + 1).padStart(2, '0')}`,
    from: new Date(Date.UTC(y, m, 1)),
    to: new Date(Date.UTC(y, m + 1, 1)),
  }
}

/**
 * Makes sure token_usage has partitions for the month of `now` and the next one, so rows
 * never pile up in the default partition. Rows that did land in the default partition for
 * a month being created (written while its partition was missing) are moved into it in the
 * same transaction. Safe to run from many processes at once. Returns the partitions created.
 */
export async function ensureTokenUsagePartitions(db: Database, now: Date): Promise<string[]> {
  const months = [monthPartition(now), monthPartition(new Date(monthPartition(now).to))]
  const created: string[] = []
  for (const month of months) {
    if (await createPartition(db, month)) created.push(month.name)
  }
  return created
}

async function createPartition(db: Database, month: MonthPartition): Promise<boolean> {
  return db.kysely.transaction().execute(async (tx) => {
    if (db.backend === 'postgres')
      await sql`select pg_advisory_xact_lock(${PARTITION_LOCK_ID})`.execute(tx)
    const exists = await sql<{
      found: string | null
    }>`select to_regclass(${month.name})::text as found`.execute(tx)
    if (exists.rows[0]?.found) return false
    const from = month.from.toISOString()
    const to = month.to.toISOString()
    const strays = sql`token_usage_default where timestamp >= ${from} and timestamp < ${to}`
    // A partition cannot be attached while the default partition holds rows of its range.
    await sql`create temporary table token_usage_moving on commit drop as select * from ${strays}`.execute(
      tx,
    )
    await sql`delete from ${strays}`.execute(tx)
    await sql`create table ${sql.id(month.name)} partition of token_usage
      for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(tx)
    await sql`insert into token_usage select * from token_usage_moving`.execute(tx)
    return true
  })
}

/** Runs `ensureTokenUsagePartitions` now and then daily; returns a function that stops it. */
export function maintainTokenUsagePartitions(
  db: Database,
  clock: () => number,
  onError: (err: unknown) => void,
  intervalMs = 24 * 60 * 60 * 1000,
): { ready: Promise<void>; stop(): void } {
  const run = () => ensureTokenUsagePartitions(db, new Date(clock())).then(() => undefined, onError)
  const timer = setInterval(() => void run(), intervalMs)
  timer.unref()
  return { ready: run(), stop: () => clearInterval(timer) }
}
