// Outlets (permission outlet:read / outlet:manage), the outlet manager's
// board and scorecard. Shapes follow backend/internal/httpapi
// handlers_outlet.go and handlers_workorder.go exactly.
import { http } from './http'
import type { Page } from './types'
import type { WorkOrder } from './workorders'

/** Outlet kinds: own (自营) or entrusted (委托, with a contract). */
export type OutletKind = 'own' | 'entrusted'
export type OutletStatus = 'active' | 'suspended'
/** Derived on read: '' (own), not_started, valid, expiring (≤ 60 days), expired. */
export type ContractState = '' | 'not_started' | 'valid' | 'expiring' | 'expired'

/** A region named in an outlet's coverage. */
export interface CoverageRegion {
  code: string
  name: string
  level: string
}

/** GET /outlets/{id}. Contract dates are calendar dates "YYYY-MM-DD". */
export interface Outlet {
  id: number
  code: string
  name: string
  kind: OutletKind
  contract_no: string
  contract_valid_from: string | null
  contract_valid_to: string | null
  contract_state: ContractState
  region_code: string
  region_name: string
  address: string
  latitude: number | null
  longitude: number | null
  phone: string
  coverage: string[]
  coverage_regions: CoverageRegion[]
  category_ids: number[]
  daily_capacity: number
  status: OutletStatus
  status_reason: string
  version: number
  created_at: string
  updated_at: string
}

/** POST /outlets body. */
export interface CreateOutletInput {
  code: string
  name: string
  kind: OutletKind
  contract_no?: string
  contract_valid_from?: string
  contract_valid_to?: string
  region_code: string
  address: string
  latitude?: number | null
  longitude?: number | null
  phone: string
  coverage: string[]
  category_ids: number[]
  daily_capacity: number
}

/** PATCH /outlets/{id} body: absent fields stay; the version is required. */
export type PatchOutletInput = Partial<Omit<CreateOutletInput, 'code'>> & { version: number }

/** Filters of GET /outlets. sort: code (default), name, created_at, daily_capacity, id; "-" for descending. */
export interface OutletQuery {
  page: number
  size: number
  status?: OutletStatus | ''
  kind?: OutletKind | ''
  region?: string
  covers?: string
  q?: string
  sort?: string
}

/** One problem in one row of an import file (row 1 is the header). */
export interface ImportError {
  row: number
  field: string
  column?: string
  /** What the UI translates (apiErrors.fields.*), with params; message is its English. */
  code?: string
  params?: Record<string, unknown> | null
  message: string
}

/** The answer of POST /outlets/import and /staff/import. */
export interface ImportReport {
  total: number
  imported: number
  failed: number
  errors: ImportError[] | null
}

function clean(params: object): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') out[k] = v as string | number
  }
  return out
}

export async function listOutlets(query: OutletQuery): Promise<Page<Outlet>> {
  const res = await http.get<Page<Outlet>>('/outlets', { params: clean(query) })
  return { ...res.data, items: res.data.items ?? [] }
}

export async function getOutlet(id: number): Promise<Outlet> {
  const res = await http.get<Outlet>(`/outlets/${id}`)
  return res.data
}

export async function createOutlet(input: CreateOutletInput): Promise<Outlet> {
  const res = await http.post<Outlet>('/outlets', input)
  return res.data
}

export async function patchOutlet(id: number, input: PatchOutletInput): Promise<Outlet> {
  const res = await http.patch<Outlet>(`/outlets/${id}`, input)
  return res.data
}

export async function suspendOutlet(id: number, reason: string, version: number): Promise<Outlet> {
  const res = await http.post<Outlet>(`/outlets/${id}/suspend`, { reason, version })
  return res.data
}

export async function activateOutlet(id: number, version: number): Promise<Outlet> {
  const res = await http.post<Outlet>(`/outlets/${id}/activate`, { version })
  return res.data
}

/** Progress of an upload, 0–100. */
export type OnProgress = (percent: number) => void

/** uploadImport posts an .xlsx as multipart field "file" and reports upload progress. */
export async function uploadImport(path: '/outlets/import' | '/staff/import', file: Blob, name: string, onProgress?: OnProgress): Promise<ImportReport> {
  const form = new FormData()
  form.append('file', file, name)
  const res = await http.post<ImportReport>(path, form, {
    // Imports of thousands of rows take longer than ordinary calls.
    timeout: 300_000,
    onUploadProgress: (e) => {
      if (onProgress && e.total) onProgress(Math.min(100, Math.round((e.loaded / e.total) * 100)))
    },
  })
  return { ...res.data, errors: res.data.errors ?? [] }
}

export function importOutlets(file: Blob, name: string, onProgress?: OnProgress): Promise<ImportReport> {
  return uploadImport('/outlets/import', file, name, onProgress)
}

/** Download URLs (same origin, the session cookie authenticates). */
export const OUTLET_TEMPLATE_URL = '/api/v1/outlets/import/template'
export const outletExportUrl = (q: Omit<OutletQuery, 'page' | 'size'>): string => {
  const p = new URLSearchParams(clean(q) as Record<string, string>)
  const s = p.toString()
  return `/api/v1/outlets/export${s ? `?${s}` : ''}`
}

// ---- the board and the scorecard

/** An offer waiting for the outlet; seconds_left is negative once expired but not yet re-dispatched. */
export interface BoardOffer {
  work_order: WorkOrder
  expires_at: string
  seconds_left: number
}

/** Accepted work past its promised arrival. */
export interface BoardOverdue {
  work_order: WorkOrder
  overdue_seconds: number
}

/** One technician's open work (assigned, scheduled, on site) and today's appointments. */
export interface TechnicianLoad {
  staff_id: number
  name: string
  open: number
  today: number
}

/** GET /outlets/{id}/board. `at` is the server's clock when the board was read. */
export interface Board {
  outlet_id: number
  at: string
  offers_waiting: BoardOffer[]
  appointments_today: WorkOrder[]
  arrivals_overdue: BoardOverdue[]
  technicians: TechnicianLoad[]
}

export async function getBoard(outletId: number): Promise<Board> {
  const res = await http.get<Board>(`/outlets/${outletId}/board`)
  const b = res.data
  return {
    ...b,
    offers_waiting: b.offers_waiting ?? [],
    appointments_today: b.appointments_today ?? [],
    arrivals_overdue: b.arrivals_overdue ?? [],
    technicians: b.technicians ?? [],
  }
}

/** GET /outlets/{id}/scorecard (permission kpi:read). Rates are 0–1 or null when nothing counted. */
export interface Scorecard {
  outlet_id: number
  from: string
  to: string
  offers: number
  accepted: number
  rejected: number
  timed_out: number
  accept_seconds_avg: number | null
  accept_seconds_p90: number | null
  arrivals: number
  arrivals_on_time: number
  on_time_arrival_rate: number | null
  completed: number
  first_time_fix_eligible: number
  first_time_fixed: number
  first_time_fix_rate: number | null
  /** Complaints linked to the outlet in the period; null when not counted. */
  complaints: number | null
  /** Per technician, the complaints naming them (most first). */
  technician_complaints: { staff_id: number; name: string; complaints: number }[]
}

/** from/to: RFC 3339 instants or local dates "YYYY-MM-DD" (to exclusive); default the last 30 days. */
export async function getScorecard(outletId: number, from?: string, to?: string): Promise<Scorecard> {
  const res = await http.get<Scorecard>(`/outlets/${outletId}/scorecard`, { params: clean({ from, to }) })
  return res.data
}
