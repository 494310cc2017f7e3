// Staff of the outlets and HQ, their certificates and trainings
// (permission outlet:read / outlet:manage). Shapes follow
// backend/internal/httpapi/handlers_outlet.go exactly.
import { http } from './http'
import { uploadImport, type ImportReport, type OnProgress } from './outlets'
import type { Page } from './types'

/** Posts the UI offers (the backend accepts others too). */
export const KNOWN_POSTS = ['维修技师', '安装工', '网点经理', '客服专员', '售后经理', '质量专员', '培训专员'] as const

/** Certificate kinds; service_manager is 售后服务管理师. */
export type CertificateKind = 'service_manager' | 'electrician' | 'refrigeration' | 'height_work' | 'gas_appliance' | 'other'
export const CERTIFICATE_KINDS: readonly CertificateKind[] = [
  'service_manager', 'electrician', 'refrigeration', 'height_work', 'gas_appliance', 'other',
]

/** Derived on read: valid, expiring (within 90 days), expired, not_started. */
export type CertificateState = 'valid' | 'expiring' | 'expired' | 'not_started'

/** Dates are calendar dates "YYYY-MM-DD"; expires_at is the last valid day. */
export interface Certificate {
  id: number
  kind: CertificateKind
  number: string
  issued_at: string | null
  expires_at: string | null
  state: CertificateState
}

export interface Training {
  id: number
  course: string
  hours: number
  completed_at: string | null
  passed: boolean
}

/** A staff member; trainings come with GET /staff/{id} only. */
export interface StaffMember {
  id: number
  name: string
  outlet_id: number | null
  hq_department: string
  post: string
  is_service_management: boolean
  phone: string
  user_id: number | null
  active: boolean
  hired_at: string | null
  /** Holds a 售后服务管理师 certificate valid today. */
  service_manager_certified: boolean
  certificates: Certificate[]
  trainings?: Training[]
  version: number
  created_at: string
  updated_at: string
}

/** POST /staff: outlet_id for outlet staff or hq_department for HQ staff, not both. */
export interface CreateStaffInput {
  name: string
  outlet_id?: number
  hq_department?: string
  post: string
  is_service_management: boolean
  phone: string
  user_id?: number
  active?: boolean
  hired_at?: string
}

/** PATCH /staff/{id}: absent fields stay; user_id 0 unlinks the login; version required. */
export interface PatchStaffInput {
  name?: string
  outlet_id?: number
  hq_department?: string
  post?: string
  is_service_management?: boolean
  phone?: string
  user_id?: number
  active?: boolean
  hired_at?: string
  version: number
}

export interface AddCertificateInput {
  kind: CertificateKind
  number: string
  issued_at: string
  expires_at?: string
}

export interface AddTrainingInput {
  course: string
  hours: number
  completed_at: string
  passed: boolean
}

/** Filters of GET /staff; sort: id (default), name, hired_at, created_at, "-" for descending. */
export interface StaffQuery {
  page: number
  size: number
  outlet_id?: number
  hq?: boolean
  management?: boolean
  certified?: boolean
  post?: string
  active?: boolean
  q?: string
  sort?: string
}

export async function listStaff(query: StaffQuery): Promise<Page<StaffMember>> {
  const params: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params[k] = typeof v === 'boolean' ? String(v) : (v as string | number)
  }
  const res = await http.get<Page<StaffMember>>('/staff', { params })
  return { ...res.data, items: res.data.items ?? [] }
}

export async function getStaff(id: number): Promise<StaffMember> {
  const res = await http.get<StaffMember>(`/staff/${id}`)
  return res.data
}

export async function createStaff(input: CreateStaffInput): Promise<StaffMember> {
  const res = await http.post<StaffMember>('/staff', input)
  return res.data
}

export async function patchStaff(id: number, input: PatchStaffInput): Promise<StaffMember> {
  const res = await http.patch<StaffMember>(`/staff/${id}`, input)
  return res.data
}

export async function addCertificate(staffId: number, input: AddCertificateInput): Promise<Certificate> {
  const res = await http.post<Certificate>(`/staff/${staffId}/certificates`, input)
  return res.data
}

export async function addTraining(staffId: number, input: AddTrainingInput): Promise<Training> {
  const res = await http.post<Training>(`/staff/${staffId}/trainings`, input)
  return res.data
}

export function importStaff(file: Blob, name: string, onProgress?: OnProgress): Promise<ImportReport> {
  return uploadImport('/staff/import', file, name, onProgress)
}

export const STAFF_TEMPLATE_URL = '/api/v1/staff/import/template'
