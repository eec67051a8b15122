import type { TreeRow } from '../queries/conversation-queries.ts'

export type LaneKind = 'main' | 'branch' | 'subtask' | 'compaction'

export interface Lane {
  branch: string
  kind: LaneKind
  index: number
  /** The request this lane forked from (another lane's node), when known. */
  forkedFrom: string | undefined
  requests: number
}

export interface GraphNode {
  row: TreeRow
  /** Position in arrival order. */
  index: number
  lane: Lane
  /** The node this one continues (its parent request, or the spawning request of a sub-agent). */
  parentIndex: number | undefined
  edge: 'continue' | 'fork' | 'spawn' | undefined
}

export interface ConversationGraph {
  nodes: GraphNode[]
  lanes: Lane[]
}

/**
 * Lays a conversation out as lanes, one per branch, in arrival order: `git log --graph`
 * for requests. Pure and independent of the linker's internals: it reads only the columns
 * (branch_id, parent_request_id, is_subtask, parent_task_request_id).
 */
export function layoutConversation(rows: readonly TreeRow[]): ConversationGraph {
  const lanes = new Map<string, Lane>()
  const indexById = new Map<string, number>()
  const nodes: GraphNode[] = []
  rows.forEach((row, index) => {
    const branch = row.branch_id ?? 'main'
    let lane = lanes.get(branch)
    const parentId = row.parent_request_id ?? (row.is_subtask ? row.parent_task_request_id : null)
    const parentIndex = parentId ? indexById.get(parentId) : undefined
    if (!lane) {
      lane = {
        branch,
        kind: laneKind(branch, row.is_subtask),
        index: lanes.size,
        forkedFrom: parentId ?? undefined,
        requests: 0,
      }
      lanes.set(branch, lane)
    }
    lane.requests++
    const parent = parentIndex === undefined ? undefined : nodes[parentIndex]
    let edge: GraphNode['edge']
    if (parent) {
      if (parent.lane === lane) edge = 'continue'
      else edge = lane.kind === 'subtask' ? 'spawn' : 'fork'
    }
    nodes.push({ row, index, lane, parentIndex, edge })
    indexById.set(row.request_id, index)
  })
  return { nodes, lanes: [...lanes.values()] }
}

export function laneKind(branch: string, isSubtask: boolean): LaneKind {
  if (isSubtask || branch.startsWith('subtask')) return 'subtask'
  if (branch.startsWith('compact')) return 'compaction'
  return branch === 'main' ? 'main' : 'branch'
}

/**
 * The rows a branch filter shows: the branch itself, and the request it forked from so the
 * reader sees where it left its parent.
 */
export function filterBranch(rows: readonly TreeRow[], branch: string | undefined): TreeRow[] {
  if (!branch) return [...rows]
  const inBranch = rows.filter((r) => (r.branch_id ?? 'main') === branch)
  const first = inBranch[0]
  const forkId = first?.parent_request_id ?? first?.parent_task_request_id
  const fork = forkId ? rows.find((r) => r.request_id === forkId) : undefined
  return fork ? [fork, ...inBranch] : inBranch
}

export const TREE_PAGE = 400

/**
 * The part of a laid-out conversation one page shows: a branch (if filtered) and a window of
 * TREE_PAGE nodes. Lanes keep their places from the whole conversation; edges to nodes off
 * the page are dropped.
 */
export function visibleGraph(
  full: ConversationGraph,
  rows: readonly TreeRow[],
  options: { branch: string | undefined; offset: number },
): { graph: ConversationGraph; total: number; offset: number } {
  const shown = new Set(filterBranch(rows, options.branch).map((r) => r.request_id))
  const matching = full.nodes.filter((n) => shown.has(n.row.request_id))
  const offset = Math.max(0, Math.min(options.offset, Math.max(0, matching.length - 1)))
  const page = matching.slice(offset, offset + TREE_PAGE)
  const reindexed = new Map(page.map((n, i) => [n.index, i]))
  const nodes = page.map((n, i) => {
    const parentIndex = n.parentIndex === undefined ? undefined : reindexed.get(n.parentIndex)
    return { ...n, index: i, parentIndex }
  })
  return { graph: { lanes: full.lanes, nodes }, total: matching.length, offset }
}
