import { describe, expect, it } from 'vitest'
import type { IndicatorResult } from '@/api/readiness'
import { buildLedgerTree, filterTree, lostPoints, pointsShare, walk } from '@/views/readiness/ledgerTree'

function line(clause: string, level: number, over: Partial<IndicatorResult> = {}): IndicatorResult {
  const leaf = over.leaf ?? false
  return {
    clause, name: { zh: clause, en: clause }, level, leaf, points: 0, max: 1, applicable: 1, state: 'computed',
    inputs: { numerator: 0, denominator: 0, value: 0, target: 0, floor: 0, required: 0 }, recoverable: 0,
    reason: { zh: '', en: '' }, action: { zh: '', en: '' }, ...over,
  }
}

const LEDGER: IndicatorResult[] = [
  line('5.1', 1, { points: 7.5, max: 40, applicable: 40, state: 'unknown' }),
  line('5.1.1', 2, { points: 3, max: 6, applicable: 6 }),
  line('5.1.1.1', 3, { leaf: true, points: 0, max: 3, applicable: 3, record_ids: ['document:1'] }),
  line('5.1.1.2', 3, { leaf: true, points: 3, max: 3, applicable: 3 }),
  line('5.1.2', 2, { points: 4.5, max: 10, applicable: 10 }),
  line('5.1.2.2', 3, { leaf: true, points: 0, max: 5, applicable: 5 }),
  line('5.2', 1, { points: 20, max: 35, applicable: 35 }),
  line('5.2.6', 2, { leaf: true, points: 0, max: 2, applicable: 0, state: 'not_applicable' }),
  line('5.3', 1, { points: 25, max: 25, applicable: 25 }),
]

describe('ledger tree', () => {
  it('nests the flat ledger by level: 5.1 / 5.2 / 5.3 → leaves', () => {
    const tree = buildLedgerTree(LEDGER)
    expect(tree.map((n) => n.clause)).toEqual(['5.1', '5.2', '5.3'])
    expect(tree[0]!.children!.map((n) => n.clause)).toEqual(['5.1.1', '5.1.2'])
    expect(tree[0]!.children![0]!.children!.map((n) => n.clause)).toEqual(['5.1.1.1', '5.1.1.2'])
    expect(tree[1]!.children!.map((n) => n.clause)).toEqual(['5.2.6'])
    // Leaves and childless parents carry no children array (no expander).
    expect(tree[0]!.children![0]!.children![0]!.children).toBeUndefined()
    expect(tree[2]!.children).toBeUndefined()
    let count = 0
    walk(tree, () => count++)
    expect(count).toBe(LEDGER.length)
  })

  it('keeps every line: orphans become roots, missing levels fall back on the clause, duplicates are dropped', () => {
    const tree = buildLedgerTree([
      line('5.1.1.1', 3, { leaf: true }),
      line('5.2', 1),
      line('5.2.1', 0, { leaf: true }),
      line('6.1', 0, { leaf: true }),
      line('5.2', 1),
    ])
    expect(tree.map((n) => n.clause)).toEqual(['5.1.1.1', '5.2', '6.1'])
    expect(tree[1]!.children!.map((n) => n.clause)).toEqual(['5.2.1'])
  })

  it('does not mutate the ledger and tolerates nothing', () => {
    const copy = JSON.parse(JSON.stringify(LEDGER))
    buildLedgerTree(LEDGER)
    expect(LEDGER).toEqual(copy)
    expect(buildLedgerTree(null)).toEqual([])
    expect(buildLedgerTree(undefined)).toEqual([])
  })

  it('filters to losing leaves with their ancestors', () => {
    const tree = buildLedgerTree(LEDGER)
    const losing = filterTree(tree, (n) => n.leaf && lostPoints(n) > 0)
    expect(losing.map((n) => n.clause)).toEqual(['5.1'])
    expect(losing[0]!.children!.map((n) => n.clause)).toEqual(['5.1.1', '5.1.2'])
    expect(losing[0]!.children![0]!.children!.map((n) => n.clause)).toEqual(['5.1.1.1'])
  })

  it('lost points and the earned share', () => {
    expect(lostPoints(LEDGER[2]!)).toBe(3)
    expect(lostPoints(LEDGER[3]!)).toBe(0)
    expect(lostPoints(LEDGER[7]!)).toBe(0) // deleted: nothing lost
    expect(pointsShare(LEDGER[0]!)).toBe(18.8)
    expect(pointsShare(LEDGER[7]!)).toBe(0)
  })
})
