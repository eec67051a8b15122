import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

// Summaries of the .cpuprofile files `node --cpu-prof` writes (one per thread), restricted
// to a time window so that start-up (TypeScript loading, migrations) does not drown the
// load phase.

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  file: string
  /** Wall time covered by samples in the window, and how much of it was not idle. */
  windowMs: number
  busyMs: number
  self: Array<{ frame: string; ms: number }>
  /** Inclusive time of this repository's own functions (src/…). */
  inclusive: Array<{ frame: string; ms: number }>
}

const SHORTEN = /^.*\/(node_modules|src|bench|test-support)\//

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const where = url
    ? ` ${url.replace(SHORTEN, (_m, dir: string) => (dir === 'node_modules' ? '' : `${dir}/`))}:${lineNumber + 1}`
    : ''
  return `${functionName || '(anonymous)'}${where}`
}

/**
 * Self and inclusive time per function between `fromUs` and `toUs` (the profile's clock is
 * the monotonic clock process.hrtime uses, in microseconds).
 */
export async function summarizeProfile(
  file: string,
  fromUs = 0,
  toUs = Infinity,
  top = 15,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let windowUs = 0
  let idleUs = 0
  let t = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0
    // A sample's weight is the time until the next one.
    const weight = profile.timeDeltas[i + 1] ?? 0
    if (t < fromUs || t > toUs) continue
    const node = byId.get(profile.samples[i]!)
    if (!node) continue
    windowUs += weight
    const name = frameName(node)
    if (node.callFrame.functionName === '(idle)') {
      idleUs += weight
      continue
    }
    self.set(name, (self.get(name) ?? 0) + weight)
    const seen = new Set<string>()
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!
      const key = frameName(frame)
      if (seen.has(key) || !frame.callFrame.url.includes('/src/')) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + weight)
    }
  }
  const sorted = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, us]) => ({ frame, ms: us / 1000 }))
  return {
    file,
    windowMs: windowUs / 1000,
    busyMs: (windowUs - idleUs) / 1000,
    self: sorted(self),
    inclusive: sorted(inclusive),
  }
}

export async function profilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  return names.filter((n) => n.endsWith('.cpuprofile')).map((n) => join(dir, n))
}
