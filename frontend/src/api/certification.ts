// Certification cycles, audits (with the auditor's result beside our
// projection) and audit packs. Shapes follow backend/internal/httpapi/
// handlers_certification.go; dates are YYYY-MM-DD calendar dates.
import { http } from './http'

export type CycleStatus =
  | 'application'
  | 'contract'
  | 'stage1'
  | 'stage2'
  | 'committee'
  | 'certified'
  | 'expired'
  | 'withdrawn'

/** The lifecycle steps in order (withdrawn and expired end a cycle). */
export const CYCLE_STEPS: readonly CycleStatus[] = ['application', 'contract', 'stage1', 'stage2', 'committee', 'certified']

export type AuditKind = 'stage1' | 'stage2' | 'surveillance' | 'recertification'
export type AuditStatus = 'planned' | 'done' | 'cancelled'

/** Our projection stored with an audit. */
export interface AuditProjection {
  score: number
  low: number
  high: number
  band: string
  /** Our projection minus the auditor's score. */
  error: number | null
}

/** httpapi.AuditResponse */
export interface CertAudit {
  id: number
  cycle_id: number
  kind: AuditKind
  seq: number
  due_on: string
  window_from: string | null
  window_to: string | null
  scheduled_on: string | null
  held_on: string | null
  status: AuditStatus
  lead_auditor: string
  responsible: string
  score: number | null
  band: string
  findings: string
  projected: AuditProjection | null
  version: number
}

/** httpapi.CycleResponse */
export interface Cycle {
  id: number
  kind: 'initial' | 'recertification'
  previous_cycle_id: number | null
  body: string
  standard: string
  status: CycleStatus
  /** Steps the cycle may move to next. */
  allowed: CycleStatus[]
  responsible: string
  applied_on: string | null
  contract_on: string | null
  stage1_on: string | null
  stage2_on: string | null
  committee_on: string | null
  certificate_no: string
  issued_on: string | null
  expires_on: string | null
  notes: string
  audits: CertAudit[]
  version: number
}

/** httpapi.CycleRequest */
export interface CycleInput {
  kind: 'initial' | 'recertification'
  previous_cycle_id?: number
  body: string
  responsible?: string
  applied_on?: string
  notes?: string
}

/** httpapi.CycleAdvanceRequest */
export interface AdvanceInput {
  to: CycleStatus
  on?: string
  certificate_no?: string
  note?: string
  version: number
}

/** httpapi.AuditScheduleRequest */
export interface ScheduleInput {
  scheduled_on?: string
  lead_auditor?: string
  responsible?: string
  version: number
}

/** httpapi.AuditResultRequest */
export interface ResultInput {
  held_on: string
  score: number | null
  band: string
  findings?: string
  lead_auditor?: string
  version: number
  /** The auditor's points per leaf clause, when the report gives them (calibration). */
  indicators?: Record<string, number>
}

/** httpapi.AuditPackResponse */
export interface AuditPack {
  id: number
  from: string
  to: string
  status: 'queued' | 'running' | 'done' | 'failed'
  /** 0–100 */
  progress: number
  step: string
  error?: string
  size: number
  sha256: string
  requested_by: string
  created_at: string
  started_at: string | null
  finished_at: string | null
  download_url?: string
}

export async function listCycles(): Promise<Cycle[]> {
  const res = await http.get<{ items: Cycle[] }>('/certification/cycles')
  return (res.data.items ?? []).map((c) => ({ ...c, audits: c.audits ?? [], allowed: c.allowed ?? [] }))
}

export async function createCycle(input: CycleInput): Promise<Cycle> {
  const res = await http.post<Cycle>('/certification/cycles', input)
  return res.data
}

export async function advanceCycle(id: number, input: AdvanceInput): Promise<Cycle> {
  const res = await http.post<Cycle>(`/certification/cycles/${id}/advance`, input)
  return res.data
}

export async function listAudits(status?: AuditStatus): Promise<CertAudit[]> {
  const res = await http.get<{ items: CertAudit[] }>('/certification/audits', { params: status ? { status } : {} })
  return res.data.items ?? []
}

/** The next planned audit, or null when none is planned (404). */
export async function getNextAudit(): Promise<CertAudit | null> {
  try {
    const res = await http.get<{ audit: CertAudit }>('/certification/next-audit')
    return res.data.audit
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null
    throw err
  }
}

export async function scheduleAudit(id: number, input: ScheduleInput): Promise<CertAudit> {
  const res = await http.patch<CertAudit>(`/certification/audits/${id}`, input)
  return res.data
}

export async function recordAuditResult(id: number, input: ResultInput): Promise<CertAudit> {
  const res = await http.post<CertAudit>(`/certification/audits/${id}/result`, input)
  return res.data
}

export async function listAuditPacks(): Promise<AuditPack[]> {
  const res = await http.get<{ items: AuditPack[] }>('/certification/audit-packs')
  return res.data.items ?? []
}

/** Start building an audit pack for an observation window (202; poll getAuditPack). */
export async function createAuditPack(from: string, to: string): Promise<AuditPack> {
  const res = await http.post<AuditPack>('/certification/audit-packs', { from, to })
  return res.data
}

export async function getAuditPack(id: number): Promise<AuditPack> {
  const res = await http.get<AuditPack>(`/certification/audit-packs/${id}`)
  return res.data
}
