import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'

/** What a child process reports about itself for the window since `begin()`. */
export interface ProcessSample {
  /** process.hrtime in µs: the clock of `--cpu-prof` profiles, to cut them to a window. */
  atUs: number
  /** process.cpuUsage() delta, user + system, every thread of the process. */
  cpuMs: number
  /** The kernel's part of cpuMs: syscalls, and on loopback the receiving side's TCP work too. */
  systemCpuMs: number
  /** The main (event loop) thread alone, from /proc; null where /proc is missing. */
  mainThreadCpuMs: number | null
  /** Event-loop delay in ms beyond the sampling interval. */
  lag: { p50: number; p99: number; max: number; mean: number; samples: number }
  /** process.resourceUsage().maxRSS: the peak since the process started. */
  peakRssMb: number
  rssMb: number
  heapUsedMb: number
}

// The histogram records the time between two ticks of a `RESOLUTION_MS` timer, so an idle
// loop reads RESOLUTION_MS; the excess is how long the loop was busy when the timer was due.
const RESOLUTION_MS = 5
// Linux reports per-thread CPU in clock ticks of USER_HZ, which is 100 on every ABI Node runs on.
const USER_HZ = 100

export function processStats() {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  delay.enable()
  let cpu0 = process.cpuUsage()
  let thread0 = mainThreadCpuMs()
  const lagMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS)
  return {
    begin(): { atUs: number } {
      delay.reset()
      cpu0 = process.cpuUsage()
      thread0 = mainThreadCpuMs()
      return { atUs: nowUs() }
    },
    sample(): ProcessSample {
      const cpu = process.cpuUsage(cpu0)
      const thread = mainThreadCpuMs()
      const memory = process.memoryUsage()
      const samples = delay.count
      return {
        atUs: nowUs(),
        cpuMs: (cpu.user + cpu.system) / 1000,
        systemCpuMs: cpu.system / 1000,
        mainThreadCpuMs: thread === null || thread0 === null ? null : thread - thread0,
        lag: {
          p50: samples ? lagMs(delay.percentile(50)) : 0,
          p99: samples ? lagMs(delay.percentile(99)) : 0,
          max: samples ? lagMs(delay.max) : 0,
          mean: samples ? lagMs(delay.mean) : 0,
          samples,
        },
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        rssMb: memory.rss / 1024 / 1024,
        heapUsedMb: memory.heapUsed / 1024 / 1024,
      }
    },
  }
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

function mainThreadCpuMs(): number | null {
  try {
    // The main thread's task id is the pid. Fields after "(comm)": state is the 3rd field,
    // utime the 14th and stime the 15th.
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ
  } catch {
    return null
  }
}
