import { createHash } from 'node:crypto'
import type { BodyParts } from './body-parts.ts'

/** One node of a body's part chain (migration 160): the part at `depth`, after `sep`. */
export interface ListNode {
  hash: string
  /** Hex hash of the previous node; null for the first part. */
  parent: string | null
  depth: number
  sep: string
  /** Hex hash of the part's blob. */
  item: string
}

const NO_PARENT = Buffer.alloc(32)

/**
 * The chain of a split body: node i holds segment i and part i, and is keyed by the hash of
 * its depth, its parent, its part and its segment, so two bodies that begin alike share the
 * nodes of that beginning. Returns the nodes in order; the last one is the body's head, and
 * the last segment is its tail. Nodes of `prior` that match are reused rather than rehashed.
 */
export function listNodes(split: BodyParts, prior: readonly ListNode[] = []): ListNode[] {
  const nodes: ListNode[] = []
  let parent: string | null = null
  for (const [i, part] of split.parts.entries()) {
    const sep = split.segments[i] ?? ''
    const depth = i + 1
    // A body beginning like an earlier one (body-prefix.ts) shares its first nodes.
    const same = prior[i]
    if (
      same !== undefined &&
      same.parent === parent &&
      same.item === part.hash &&
      same.sep === sep
    ) {
      nodes.push(same)
      parent = same.hash
      continue
    }
    const head = Buffer.alloc(4)
    head.writeUInt32BE(depth)
    const hash: string = createHash('sha256')
      .update(head)
      .update(parent === null ? NO_PARENT : Buffer.from(parent, 'hex'))
      .update(Buffer.from(part.hash, 'hex'))
      .update(sep, 'utf8')
      .digest('hex')
    nodes.push({ hash, parent, depth, sep, item: part.hash })
    parent = hash
  }
  return nodes
}

/** The inverse of listNodes, given each node's part text: the body, byte for byte. */
export function joinList(
  nodes: readonly ListNode[],
  texts: ReadonlyMap<string, string>,
  tail: string,
) {
  let text = ''
  for (const n of nodes) text += n.sep + (texts.get(n.item) ?? '')
  return text + tail
}
