// The points ledger comes flat, parents before their children in document
// order, each line with its level (1 = first-level indicator). This module
// nests it into the indicator tree the dashboard shows (5.1/5.2/5.3 →
// leaves).
import type { IndicatorResult } from '@/api/readiness'

/** LedgerNode is a ledger line with its sub-indicators. */
export interface LedgerNode extends IndicatorResult {
  /** Present only on parents (the table shows an expander for them). */
  children?: LedgerNode[]
}

/** isParentClause reports whether clause a is an ancestor of clause b ("5.1" of "5.1.2"). */
export function isParentClause(a: string, b: string): boolean {
  return !!a && b.startsWith(`${a}.`)
}

/**
 * buildLedgerTree nests the ledger by level: a line becomes a child of the
 * nearest preceding line of a lower level. A line whose level is missing
 * (0) is placed by clause prefix instead. Lines are never dropped: a child
 * whose parent is absent becomes a root. Inputs are not mutated.
 */
export function buildLedgerTree(ledger: readonly IndicatorResult[] | null | undefined): LedgerNode[] {
  const roots: LedgerNode[] = []
  const stack: LedgerNode[] = []
  const seen = new Set<string>()
  for (const line of ledger ?? []) {
    if (!line || typeof line.clause !== 'string' || seen.has(line.clause)) continue
    seen.add(line.clause)
    const node: LedgerNode = { ...line }
    delete node.children
    const level = Number.isFinite(line.level) && line.level > 0 ? line.level : 0
    if (level > 0) {
      while (stack.length && (stack[stack.length - 1]!.level || 0) >= level) stack.pop()
    } else {
      while (stack.length && !isParentClause(stack[stack.length - 1]!.clause, line.clause)) stack.pop()
    }
    const parent = stack[stack.length - 1]
    if (parent) (parent.children ??= []).push(node)
    else roots.push(node)
    stack.push(node)
  }
  return roots
}

/** walk visits every node of a tree, parents first. */
export function walk(nodes: readonly LedgerNode[], fn: (n: LedgerNode, depth: number) => void, depth = 0): void {
  for (const n of nodes) {
    fn(n, depth)
    if (n.children) walk(n.children, fn, depth + 1)
  }
}

/** lostPoints is what an indicator loses: applicable minus earned (0 when deleted or full). */
export function lostPoints(n: IndicatorResult): number {
  if (n.state === 'not_applicable') return 0
  const lost = (n.applicable ?? n.max) - n.points
  return lost > 1e-9 ? lost : 0
}

/** pointsShare is the earned share of the applicable points, 0–100, for a progress bar. */
export function pointsShare(n: IndicatorResult): number {
  const of = n.applicable || 0
  if (of <= 0) return 0
  return Math.max(0, Math.min(100, Math.round((n.points / of) * 1000) / 10))
}

/** filterTree keeps the nodes matching pred and their ancestors. */
export function filterTree(nodes: readonly LedgerNode[], pred: (n: LedgerNode) => boolean): LedgerNode[] {
  const out: LedgerNode[] = []
  for (const n of nodes) {
    const kids = n.children ? filterTree(n.children, pred) : []
    if (pred(n) || kids.length) {
      const copy: LedgerNode = { ...n }
      if (n.children) copy.children = kids
      out.push(copy)
    }
  }
  return out
}
