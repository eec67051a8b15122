import type { BodyParts, Resume, Scan, SplitMemo } from './body-parts.ts'
import type { ListNode } from './body-list.ts'

interface Entry {
  text: string
  scan: Scan
  /** The hash of each part, by the start of its range. */
  hashes: Map<number, string>
  split: BodyParts
  nodes?: ListNode[]
  /** The nodes of the entry this one continued, while its own are not computed yet. */
  priorNodes?: ListNode[]
}

/**
 * The bodies split most recently, so that a continuing turn, which re-sends the conversation
 * with a message or two more, is scanned and hashed only from where it differs. A body repeats
 * a remembered one when its text up to the start of one of that one's last few `messages`
 * elements is the same (a comparison of memory, far cheaper than scanning and hashing); the
 * last elements are tried because Claude Code moves its cache marker to the newest message.
 * Bounded by total text length; the least recently used bodies go first.
 */
export class PrefixMemo implements SplitMemo {
  #entries: Entry[] = []
  #chars = 0
  #found: Entry | undefined

  constructor(
    private readonly maxChars = 32 * 1024 * 1024,
    private readonly tries = 3,
  ) {}

  find(text: string): Resume | undefined {
    this.#found = undefined
    for (const entry of this.#entries) {
      const starts = entry.scan.elementStarts
      for (let k = starts.length - 1; k >= Math.max(0, starts.length - this.tries); k--) {
        const at = starts[k] ?? Infinity
        if (at > text.length || text.slice(0, at) !== entry.text.slice(0, at)) continue
        this.#found = entry
        return {
          at,
          ranges: entry.scan.ranges.filter(([start]) => start < at),
          hashes: entry.hashes,
        }
      }
    }
    return undefined
  }

  remember(text: string, split: BodyParts, scan: Scan): void {
    const hashes = new Map<number, string>()
    let p = 0
    for (const [start, end] of scan.ranges) {
      const part = split.parts[p]
      if (part === undefined || end - start !== part.text.length) continue
      hashes.set(start, part.hash)
      p++
    }
    const found = this.#found
    this.#found = undefined
    // The body it continues is superseded: the next turn continues this one.
    if (found !== undefined) this.#drop(found)
    const entry: Entry = { text, scan, hashes, split }
    if (found?.nodes !== undefined) entry.priorNodes = found.nodes
    this.#entries.unshift(entry)
    this.#chars += text.length
    while (this.#chars > this.maxChars && this.#entries.length > 1) {
      const last = this.#entries.at(-1)
      if (last !== undefined) this.#drop(last)
    }
  }

  /** Nodes computed for a split earlier, to reuse for the same beginning (body-list.ts). */
  priorNodes(split: BodyParts): readonly ListNode[] | undefined {
    return this.#entries.find((e) => e.split === split)?.priorNodes
  }

  setNodes(split: BodyParts, nodes: ListNode[]): void {
    const entry = this.#entries.find((e) => e.split === split)
    if (entry === undefined) return
    entry.nodes = nodes
    delete entry.priorNodes
  }

  #drop(entry: Entry) {
    const i = this.#entries.indexOf(entry)
    if (i < 0) return
    this.#entries.splice(i, 1)
    this.#chars -= entry.text.length
  }
}
