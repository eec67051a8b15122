import type { Database } from '../db/database.ts'
import type { Log } from '../log.ts'

/** What every dashboard page needs; pages get nothing else. */
export interface DashboardDeps {
  db: Database
  clock: () => number
  log: Log
}
