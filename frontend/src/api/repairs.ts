// Repair orders of work orders and walk-ins (read: workorder:read; steps:
// workorder:respond; outlet users see their outlet's). Only what the outlet
// board uses; shapes follow backend/internal/httpapi/handlers_repair.go.
import { http } from './http'
import type { Page } from './types'

export type RepairStatus = 'received' | 'diagnosed' | 'quoted' | 'approved' | 'in_progress' | 'completed' | 'declined' | 'cancelled'
export type RepairResult = 'fixed' | 'not_fixed' | 'replaced'
export const REPAIR_RESULTS: readonly RepairResult[] = ['fixed', 'not_fixed', 'replaced']

/** A repair order; money in fen; repair_until is a calendar date. allowed names the statuses it may move to. */
export interface Repair {
  id: number
  number: string
  work_order_id: number | null
  ticket_id: number | null
  outlet_id: number
  unit_id: number
  serial: string
  model_id: number
  customer_id: number | null
  channel: string
  technician_id: number | null
  technician_name: string
  status: RepairStatus
  allowed: RepairStatus[] | null
  complaint: string
  diagnosis: string
  fault_code: string
  cause: string
  in_warranty: boolean
  warranty_state: string
  repair_until: string | null
  quote_fen: number
  labour_code: string
  labour_fen: number
  parts_fen: number
  charge_fen: number
  claim_fen: number
  result: RepairResult | ''
  visits: number
  customer_confirmed: boolean
  replacement_serial: string
  received_at: string
  diagnosed_at: string | null
  started_at: string | null
  completed_at: string | null
  version: number
}

/** A part taken for a repair: the faulty part's serial and the new one's, who pays, and the old part's (旧件) return. */
export interface RepairPart {
  id: number
  repair_id: number
  part_id: number
  part_code: string
  part_name: string
  qty: number
  unit_fen: number
  amount_fen: number
  location_id: number
  faulty_serial: string
  replacement_serial: string
  under_warranty: boolean
  charge_to: 'warranty_claim' | 'customer' | string
  old_part_status: 'pending' | 'returned' | 'not_required' | string
  old_part_returned_on: string | null
  created_at: string
}

/** GET /repairs/{id} and every step's answer. */
export interface RepairDetail extends Repair {
  parts: RepairPart[]
  repeat_of: number | null
  /** What the record lacks for an audit sample (fault_code, cause, part_serials, charges, customer_confirmation). */
  missing: string[] | null
}

export async function listRepairs(query: { unit_id?: number; outlet_id?: number; page?: number; size?: number }): Promise<Page<Repair>> {
  const params: Record<string, string | number> = { page: query.page ?? 1, size: query.size ?? 20 }
  if (query.unit_id) params.unit_id = query.unit_id
  if (query.outlet_id) params.outlet_id = query.outlet_id
  const res = await http.get<Page<Repair>>('/repairs', { params })
  return { ...res.data, items: res.data.items ?? [] }
}

export async function getRepair(id: number): Promise<RepairDetail> {
  const res = await http.get<RepairDetail>(`/repairs/${id}`)
  return { ...res.data, parts: res.data.parts ?? [] }
}

/** openRepair opens the repair of a work order (409 repair_exists when it has one). */
export async function openRepair(workOrderId: number, complaint = ''): Promise<RepairDetail> {
  const res = await http.post<RepairDetail>('/repairs', { work_order_id: workOrderId, complaint })
  return { ...res.data, parts: res.data.parts ?? [] }
}

async function action(id: number, path: string, body: object): Promise<RepairDetail> {
  const res = await http.post<RepairDetail>(`/repairs/${id}/${path}`, body)
  return { ...res.data, parts: res.data.parts ?? [] }
}

export const diagnoseRepair = (id: number, input: { diagnosis: string; fault_code: string; cause: string }, version: number) =>
  action(id, 'diagnose', { ...input, version })

export const startRepair = (id: number, version: number) => action(id, 'start', { version })

export interface AddPartInput {
  part_id: number
  qty: number
  faulty_serial: string
  replacement_serial: string
  return_old_part?: boolean
}

export const addRepairPart = (id: number, input: AddPartInput, version: number) => action(id, 'parts', { ...input, version })

export interface CompleteRepairInput {
  result: RepairResult
  cause?: string
  customer_confirmed: boolean
  confirmation_note?: string
  replacement_serial?: string
}

export const completeRepair = (id: number, input: CompleteRepairInput, version: number) => action(id, 'complete', { ...input, version })
