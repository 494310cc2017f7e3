import { describe, expect, it } from 'vitest'
import { columnLabel, groupByRow, normalizeReport, outcome, reportCsv, reportLines } from '@/utils/importReport'
import type { ImportReport } from '@/api/outlets'

const report: ImportReport = {
  total: 4,
  imported: 2,
  failed: 2,
  errors: [
    { row: 5, field: 'phone', column: '联系电话', message: '不是有效的电话号码' },
    { row: 3, field: 'region_code', column: '所在地区编码', message: 'unknown region code "999999"' },
    { row: 3, field: 'coverage', column: '覆盖地区编码', message: 'required' },
    { row: 5, field: 'category_ids', message: 'unknown category "ZZ"' },
  ],
}

describe('import report', () => {
  it('grades the outcome', () => {
    expect(outcome(report)).toBe('partial')
    expect(outcome({ total: 2, imported: 2, failed: 0, errors: [] })).toBe('success')
    expect(outcome({ total: 2, imported: 0, failed: 2, errors: [] })).toBe('failed')
    expect(outcome({ total: 0, imported: 0, failed: 0, errors: [] })).toBe('empty')
  })

  it('groups problems by spreadsheet row, rows in order, problems as sent', () => {
    const g = groupByRow(report, { category_ids: '授权品类' })
    expect(g.map((r) => r.row)).toEqual([3, 5])
    expect(g[0]!.problems.map((p) => p.column)).toEqual(['所在地区编码', '覆盖地区编码'])
    expect(g[1]!.problems.map((p) => p.column)).toEqual(['联系电话', '授权品类'])
  })

  it('flattens to table lines showing each row number once', () => {
    const lines = reportLines(report)
    expect(lines.map((l) => [l.row, l.first])).toEqual([[3, true], [3, false], [5, true], [5, false]])
    // Without a column or a label the field name is shown.
    expect(lines[3]!.column).toBe('category_ids')
  })

  it('labels a column by header, then field label, then field', () => {
    expect(columnLabel({ field: 'phone', column: '联系电话' }, { phone: 'Phone' })).toBe('联系电话')
    expect(columnLabel({ field: 'phone' }, { phone: 'Phone' })).toBe('Phone')
    expect(columnLabel({ field: 'file' })).toBe('file')
  })

  it('survives a report with missing parts', () => {
    expect(normalizeReport(undefined)).toEqual({ total: 0, imported: 0, failed: 0, errors: [] })
    expect(normalizeReport({ total: 3, imported: 3, failed: 0, errors: null })).toEqual({ total: 3, imported: 3, failed: 0, errors: [] })
    expect(normalizeReport({ total: -1, errors: [null as never, { row: 2, field: 'x', message: 'm' }] }).errors).toHaveLength(1)
  })

  it('writes a CSV Excel opens as UTF-8, with formulas neutralised', () => {
    const csv = reportCsv(
      { total: 1, imported: 0, failed: 1, errors: [{ row: 2, field: 'name', column: '网点名称', message: '=HYPERLINK("x")' }] },
      ['行号', '列', '问题'],
    )
    expect(csv.startsWith('\uFEFF"行号","列","问题"\r\n')).toBe(true)
    expect(csv).toContain(`"2","网点名称","'=HYPERLINK(""x"")"`)
  })
})
