// The per-row error report of an Excel import: the API answers
// {total, imported, failed, errors:[{row, field, column, message}]}; the
// import dialog shows a summary and one table row per spreadsheet row, and
// can save the report as CSV for whoever fixes the file.
import type { ImportError, ImportReport } from '@/api/outlets'
import { i18n } from '@/i18n'
import { fieldErrorText } from '@/i18n/apiErrors'

/** problemText says one row error in the user's language (its code and params). */
function problemText(e: ImportError): string {
  if (!e.code) return e.message ?? ''
  const tr = { t: (k: string, named?: Record<string, unknown>) => i18n.global.t(k, named ?? {}), te: (k: string) => i18n.global.te(k) }
  return fieldErrorText(tr, { code: e.code, params: e.params ?? undefined, message: e.message })
}

/** success: every row landed; partial: some failed; failed: none landed; empty: no data rows. */
export type ImportOutcome = 'success' | 'partial' | 'failed' | 'empty'

/** One spreadsheet row that failed, with all of its problems. */
export interface ReportRow {
  row: number
  problems: { field: string; column: string; message: string }[]
}

/** One flat line of the error table (a row may have several). */
export interface ReportLine {
  row: number
  column: string
  field: string
  message: string
  /** True on the first line of a spreadsheet row, to show the row number once. */
  first: boolean
}

/** normalizeReport makes a report safe to show whatever the server left out. */
export function normalizeReport(r: Partial<ImportReport> | null | undefined): ImportReport {
  const errors = Array.isArray(r?.errors) ? r!.errors.filter((e): e is ImportError => !!e && typeof e === 'object') : []
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.trunc(v) : 0)
  return { total: n(r?.total), imported: n(r?.imported), failed: n(r?.failed), errors }
}

/** outcome grades a report. */
export function outcome(r: ImportReport): ImportOutcome {
  if (r.total === 0) return 'empty'
  if (r.failed === 0) return 'success'
  if (r.imported === 0) return 'failed'
  return 'partial'
}

/**
 * columnLabel names the column of an error: the header the user sees when
 * the server gives one, else a label for the API field from `labels`, else
 * the field name itself.
 */
export function columnLabel(e: Pick<ImportError, 'field' | 'column'>, labels: Record<string, string> = {}): string {
  return e.column || labels[e.field] || e.field || ''
}

/** groupByRow collects the errors of each spreadsheet row, rows in order, problems in the server's order. */
export function groupByRow(r: ImportReport, labels: Record<string, string> = {}): ReportRow[] {
  const rows = new Map<number, ReportRow>()
  for (const e of r.errors ?? []) {
    const row = typeof e.row === 'number' ? e.row : 0
    let g = rows.get(row)
    if (!g) {
      g = { row, problems: [] }
      rows.set(row, g)
    }
    g.problems.push({ field: e.field ?? '', column: columnLabel(e, labels), message: problemText(e) })
  }
  return [...rows.values()].sort((a, b) => a.row - b.row)
}

/** reportLines flattens the grouped report for a table: one line per problem. */
export function reportLines(r: ImportReport, labels: Record<string, string> = {}): ReportLine[] {
  const out: ReportLine[] = []
  for (const g of groupByRow(r, labels)) {
    g.problems.forEach((p, i) => out.push({ row: g.row, column: p.column, field: p.field, message: p.message, first: i === 0 }))
  }
  return out
}

function csvCell(v: string | number): string {
  const s = String(v)
  // Quote always; a leading = + - @ would be read as a formula by Excel.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s
  return `"${safe.replace(/"/g, '""')}"`
}

/**
 * reportCsv renders the error lines as CSV (with a BOM so Excel reads the
 * Chinese text as UTF-8), headers given by the caller in the user's language.
 */
export function reportCsv(r: ImportReport, headers: [string, string, string], labels: Record<string, string> = {}): string {
  const lines = [headers.map(csvCell).join(',')]
  for (const l of reportLines(r, labels)) lines.push([l.row, l.column, l.message].map(csvCell).join(','))
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}
