import type { Database } from '../../db/database.ts'
import type { Log } from '../../log.ts'
import type { RequestRecord } from '../../storage/request-record.ts'
import { EventBus, requestEvents, type LiveEvent } from './live-events.ts'
import { createPgRelay, type PgRelay } from './pg-relay.ts'

/**
 * The dashboard's live feed for the composition root: `stored` goes to the storage writer's
 * onStored callback; on PostgreSQL events also travel to and from other instances.
 */
export interface DashboardLive {
  bus: EventBus
  /** Storage writer callback: never throws, never waits. */
  stored(records: readonly RequestRecord[]): void
  /** For other capabilities (the linker) to announce a changed conversation. */
  publish(event: LiveEvent): void
  start(): Promise<void>
  stop(): Promise<void>
}

export function createDashboardLive(deps: {
  db: Database | null
  databaseUrl: string | undefined
  log: Log
}): DashboardLive {
  const bus = new EventBus()
  const relay: PgRelay | undefined =
    deps.db?.backend === 'postgres' && deps.databaseUrl
      ? createPgRelay({ url: deps.databaseUrl, db: deps.db, bus, log: deps.log })
      : undefined

  function publish(event: LiveEvent) {
    bus.publish(event)
    relay
      ?.notify([event])
      .catch((err: unknown) => deps.log.warn('live NOTIFY failed', { error: err }))
  }

  return {
    bus,
    publish,
    stored(records) {
      const events = requestEvents(records)
      for (const e of events) bus.publish(e)
      relay
        ?.notify(events)
        .catch((err: unknown) => deps.log.warn('live NOTIFY failed', { error: err }))
    },
    async start() {
      await relay
        ?.start()
        .catch((err: unknown) => deps.log.warn('live relay did not start', { error: err }))
    },
    async stop() {
      await relay?.stop()
    },
  }
}
