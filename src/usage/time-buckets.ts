export type Granularity = 'day' | 'hour'

const HOUR_MS = 60 * 60 * 1000
const formatters = new Map<string, Intl.DateTimeFormat>()

/**
 * The bucket an instant falls in, as local wall-clock time in `timeZone` (an IANA name):
 * `2026-11-25` for days, `2026-11-25T14:00` for hours. Labels sort chronologically except
 * for the repeated hour when daylight saving ends, which collapses into one bucket.
 * Throws RangeError for an unknown time zone.
 */
export function bucketKey(at: Date, granularity: Granularity, timeZone = 'UTC'): string {
  const parts: Record<string, string> = {}
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value
  const day = `${parts.year}-${parts.month}-${parts.day}`
  return granularity === 'day' ? day : `${day}T${parts.hour}:00`
}

/**
 * Every bucket from `from`'s to `to`'s, inclusive, in order. Walking real instants an hour
 * at a time (rather than adding to a local date) handles DST and half-hour offsets alike.
 */
export function bucketKeys(
  from: Date,
  to: Date,
  granularity: Granularity,
  timeZone = 'UTC',
): string[] {
  const keys = new Set<string>()
  for (let t = from.getTime(); t <= to.getTime(); t += HOUR_MS) {
    keys.add(bucketKey(new Date(t), granularity, timeZone))
  }
  if (from.getTime() <= to.getTime()) keys.add(bucketKey(to, granularity, timeZone))
  return [...keys]
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(timeZone, f)
  }
  return f
}
