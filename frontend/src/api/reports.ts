// The managers' reports (docs/reports.md): backlog and volume by dimension,
// failure rate per production lot, technician productivity. Each has a JSON
// endpoint and an Excel export (…/export) with the same query. from/to are
// local dates (YYYY-MM-DD, to inclusive); an outlet user always gets their
// own outlet, whatever outlet_id says.
import { http } from './http'
import { fileNameOf } from './download'

/** The query every report takes. */
export interface ReportQuery {
  from: string
  to: string
  outlet_id?: number
}

/** Dimensions of the volume report. */
export const DIMENSIONS = ['product', 'fault_code', 'region', 'lot'] as const
export type Dimension = (typeof DIMENSIONS)[number]

/** The period and outlet a report answered for. */
export interface ReportPeriod {
  from: string
  to: string
  outlet_id: number | null
}

/** report.VolumeRow */
export interface VolumeRow {
  key: string
  label: string
  volume: number
  backlog: number
}

/** httpapi.VolumeReportResponse */
export interface VolumeReport extends ReportPeriod {
  dimension: Dimension
  rows: VolumeRow[]
  total: VolumeRow
}

/** report.FailureRow */
export interface FailureRow {
  lot: string
  model: string
  installed: number
  repairs: number
  units_repaired: number
  rate: number | null
  warning: boolean
}

/** httpapi.FailureRateReportResponse */
export interface FailureRateReport extends ReportPeriod {
  threshold: number
  rows: FailureRow[]
}

/** report.TechnicianRow */
export interface TechnicianRow {
  staff_id: number
  name: string
  outlet: string
  completed: number
  first_time_fix_eligible: number
  first_time_fixed: number
  first_time_fix_rate: number | null
  avg_on_site_minutes: number | null
}

/** httpapi.TechnicianReportResponse */
export interface TechnicianReport extends ReportPeriod {
  rows: TechnicianRow[]
}

/** The reports by their path under /reports. */
export type ReportKind = 'volume' | 'failure-rate' | 'technicians'

export async function volumeReport(q: ReportQuery, by: Dimension): Promise<VolumeReport> {
  return (await http.get<VolumeReport>('/reports/volume', { params: { ...q, by } })).data
}

export async function failureRateReport(q: ReportQuery, threshold?: number): Promise<FailureRateReport> {
  return (await http.get<FailureRateReport>('/reports/failure-rate', { params: threshold ? { ...q, threshold } : q })).data
}

export async function technicianReport(q: ReportQuery): Promise<TechnicianReport> {
  return (await http.get<TechnicianReport>('/reports/technicians', { params: q })).data
}

/** A downloaded workbook. */
export interface ReportFile {
  blob: Blob
  fileName: string
  rows: number
}

export { fileNameOf }

/**
 * exportReport downloads a report's workbook; onProgress gets the fraction
 * received (null while the size is unknown).
 */
export async function exportReport(
  kind: ReportKind,
  params: Record<string, string | number | undefined>,
  onProgress: (fraction: number | null) => void,
  signal?: AbortSignal,
): Promise<ReportFile> {
  const res = await http.get<Blob>(`/reports/${kind}/export`, {
    params,
    responseType: 'blob',
    timeout: 300_000,
    signal,
    onDownloadProgress: (e) => onProgress(e.total ? e.loaded / e.total : null),
  })
  return {
    blob: res.data,
    fileName: fileNameOf(String(res.headers['content-disposition'] ?? ''), `${kind}.xlsx`),
    rows: Number(res.headers['x-export-rows'] ?? 0),
  }
}
