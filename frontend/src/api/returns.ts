// 三包 return and exchange requests (permissions ticket:read /
// ticket:update). Shapes follow backend/internal/httpapi/handlers_returns.go
// exactly. Dates are calendar dates "YYYY-MM-DD".
import { http } from './http'

export type ReturnKind = 'return' | 'exchange'
export const RETURN_KINDS: readonly ReturnKind[] = ['return', 'exchange']

/** GET /returns/eligibility: the unit against the 三包 windows; records nothing. */
export interface Eligibility {
  unit_id: number
  serial: string
  kind: ReturnKind
  purchase_date: string | null
  requested_on: string | null
  days_since_purchase: number
  return_until: string | null
  exchange_until: string | null
  eligible: boolean
}

export async function returnEligibility(kind: ReturnKind, unitId: number): Promise<Eligibility> {
  const res = await http.get<Eligibility>('/returns/eligibility', { params: { kind, unit_id: unitId } })
  return res.data
}

/** POST /returns body: the unit by id or serial; requested_on defaults to today. */
export interface CreateReturnInput {
  kind: ReturnKind
  unit_id?: number
  serial?: string
  reason: string
  requested_on?: string
  outlet_id?: number | null
  ticket_id?: number | null
}

/** The fields of a created request the hotline shows. */
export interface ReturnCreated {
  id: number
  number: string
  kind: ReturnKind
  status: string
  eligible: boolean
  window_until: string | null
}

export async function createReturn(input: CreateReturnInput): Promise<ReturnCreated> {
  const res = await http.post<ReturnCreated>('/returns', input)
  return res.data
}

/** A return/exchange request as GET /returns/:id answers. */
export interface ReturnRequest {
  id: number
  number: string
  kind: ReturnKind
  unit_id: number
  serial: string
  ticket_id: number | null
  outlet_id: number | null
  reason: string
  purchase_date: string | null
  requested_on: string | null
  days_since_purchase: number
  window_until: string | null
  eligible: boolean
  status: string
  decision: string
  decision_reason: string
  refund_fen: number
  replacement_serial: string
  completed_at: string | null
}

/** GET /returns?unit_id=: the requests of a unit (newest first). */
export async function listReturnsOfUnit(unitId: number): Promise<ReturnRequest[]> {
  const res = await http.get<{ items: ReturnRequest[] }>('/returns', { params: { unit_id: unitId, size: 50 } })
  return res.data.items ?? []
}

export async function getReturn(id: number): Promise<ReturnRequest> {
  const res = await http.get<ReturnRequest>(`/returns/${id}`)
  return res.data
}
