// Spare parts: catalogue (product:read), stock balances and requisitions
// (workorder:read / workorder:respond; outlet users see their outlet's).
// Shapes follow backend/internal/httpapi/handlers_parts.go exactly.
import { http } from './http'
import type { Page } from './types'

/** A catalogue entry; price in fen. */
export interface Part {
  id: number
  code: string
  name: string
  spec: string
  unit: string
  price_fen: number
  active: boolean
  category_ids: number[]
  version: number
  updated_at: string
}

/** A part's stock at a location (0 = central warehouse, otherwise the outlet id). */
export interface StockBalance {
  part_id: number
  part_code: string
  part_name: string
  location_id: number
  on_hand: number
  min_level: number
  low: boolean
  updated_at: string
}

export type RequisitionStatus = 'requested' | 'shipped' | 'received' | 'cancelled'

export interface RequisitionLine {
  part_id: number
  qty: number
  qty_shipped: number
}

/** A requisition from an outlet to the central warehouse; fulfil_hours is the time-to-part once received. */
export interface Requisition {
  id: number
  number: string
  outlet_id: number
  status: RequisitionStatus | string
  requested_at: string
  requested_by: string
  work_order_id: number | null
  repair_id: number | null
  note: string
  shipped_at: string | null
  received_at: string | null
  fulfil_hours: number | null
  cancelled_at: string | null
  lines?: RequisitionLine[]
  version: number
}

export interface CreateRequisitionInput {
  outlet_id?: number
  lines: { part_id: number; qty: number }[]
  work_order_id?: number
  repair_id?: number
  note?: string
}

/** q is a code or name prefix. */
export async function listParts(query: { page?: number; size?: number; q?: string; category_id?: number; active?: boolean } = {}): Promise<Page<Part>> {
  const params: Record<string, string | number> = { page: query.page ?? 1, size: query.size ?? 20 }
  if (query.q) params.q = query.q
  if (query.category_id) params.category_id = query.category_id
  if (query.active !== undefined) params.active = String(query.active)
  const res = await http.get<Page<Part>>('/parts', { params })
  return { ...res.data, items: res.data.items ?? [] }
}

export async function getPart(id: number): Promise<Part> {
  const res = await http.get<Part>(`/parts/${id}`)
  return res.data
}

export async function listStock(query: { location_id?: number; part_id?: number; low?: boolean; page?: number; size?: number }): Promise<Page<StockBalance>> {
  const params: Record<string, string | number> = { page: query.page ?? 1, size: query.size ?? 50 }
  if (query.location_id !== undefined) params.location_id = query.location_id
  if (query.part_id) params.part_id = query.part_id
  if (query.low) params.low = 'true'
  const res = await http.get<Page<StockBalance>>('/stock', { params })
  return { ...res.data, items: res.data.items ?? [] }
}

export async function listRequisitions(query: { outlet_id?: number; status?: string; page?: number; size?: number }): Promise<Page<Requisition>> {
  const params: Record<string, string | number> = { page: query.page ?? 1, size: query.size ?? 20 }
  if (query.outlet_id) params.outlet_id = query.outlet_id
  if (query.status) params.status = query.status
  const res = await http.get<Page<Requisition>>('/requisitions', { params })
  return { ...res.data, items: res.data.items ?? [] }
}

export async function getRequisition(id: number): Promise<Requisition> {
  const res = await http.get<Requisition>(`/requisitions/${id}`)
  return res.data
}

export async function createRequisition(input: CreateRequisitionInput): Promise<Requisition> {
  const res = await http.post<Requisition>('/requisitions', input)
  return res.data
}

/** receiveRequisition books a shipped requisition into the outlet's stock. */
export async function receiveRequisition(id: number, version: number): Promise<Requisition> {
  const res = await http.post<Requisition>(`/requisitions/${id}/receive`, { version })
  return res.data
}

export async function cancelRequisition(id: number, reason: string, version: number): Promise<Requisition> {
  const res = await http.post<Requisition>(`/requisitions/${id}/cancel`, { reason, version })
  return res.data
}
