// Work orders (permissions workorder:read / workorder:respond /
// workorder:dispatch). Shapes follow backend/internal/httpapi
// handlers_workorder.go exactly. Every step answers with the work order
// (and its offers); `version` guards against acting on a stale view.
import { http } from './http'
import type { Keyset } from './schema'

export type WorkOrderKind = 'delivery' | 'installation' | 'repair' | 'maintenance' | 'inspection' | 'recall_remedy'
export const WORK_ORDER_KINDS: readonly WorkOrderKind[] = ['delivery', 'installation', 'repair', 'maintenance', 'inspection', 'recall_remedy']

export type WorkOrderStatus =
  | 'offered'
  | 'unassigned'
  | 'accepted'
  | 'assigned'
  | 'scheduled'
  | 'on_site'
  | 'completed'
  | 'signed_off'
  | 'cancelled'
export const WORK_ORDER_STATUSES: readonly WorkOrderStatus[] = [
  'offered', 'unassigned', 'accepted', 'assigned', 'scheduled', 'on_site', 'completed', 'signed_off', 'cancelled',
]

/** Steps as named by allowed_steps. */
export type WorkOrderStep =
  | 'accept'
  | 'reject'
  | 'assign'
  | 'appointment'
  | 'contact'
  | 'on_the_way'
  | 'check_in'
  | 'complete'
  | 'sign_off'
  | 'redispatch'
  | 'cancel'

/** Results of POST /work-orders/{id}/complete. */
export type WorkOrderResult = 'done' | 'no_fault_found' | 'parts_required' | 'not_fixed'
export const WORK_ORDER_RESULTS: readonly WorkOrderResult[] = ['done', 'no_fault_found', 'parts_required', 'not_fixed']

/** Distance bands of the arrival promise. */
export type DistanceBand = 'city' | 'within_200km' | 'within_500km' | 'remote'

/** One offer of a work order to an outlet. */
export interface Offer {
  id: number
  outlet_id: number
  attempt: number
  coverage_level: number
  offered_at: string
  expires_at: string
  response: string
  responded_at: string | null
  response_seconds: number | null
  reason?: string
  responded_by?: string
}

/** GET /work-orders/{id}; offers are included on the detail and step answers. */
export interface WorkOrder {
  id: number
  number: string
  ticket_id: number
  kind: WorkOrderKind
  status: WorkOrderStatus
  allowed_steps: WorkOrderStep[] | null
  outlet_id: number | null
  customer_id: number
  unit_id: number | null
  category_id: number | null
  region_code: string
  distance_band: DistanceBand | ''
  note?: string
  attempts: number
  offered_at: string | null
  offer_expires_at: string | null
  accepted_at: string | null
  technician_staff_id: number | null
  technician_assigned_at: string | null
  appointment_at: string | null
  appointment_until: string | null
  contacted_at: string | null
  arrived_at: string | null
  arrival_on_time: boolean | null
  completed_at: string | null
  result?: WorkOrderResult | ''
  result_notes?: string
  signed_off_at: string | null
  signed_by?: string
  cancelled_at: string | null
  cancel_reason?: string
  contact_due_at: string | null
  arrival_due_at: string | null
  complete_due_at: string | null
  created_at: string
  updated_at: string
  version: number
  offers?: Offer[]
}

/** Filters of GET /work-orders (keyset by before_id, newest first). */
export interface WorkOrderQuery {
  status?: WorkOrderStatus[]
  kind?: WorkOrderKind | ''
  outlet_id?: number
  ticket_id?: number
  technician_id?: number
  before_id?: number
  size?: number
}

/** GET /work-orders: newest first, paged by id (httpapi.Keyset[WorkOrderResponse]). */
export type WorkOrderPage = Keyset<WorkOrder>

export async function listWorkOrders(query: WorkOrderQuery = {}): Promise<WorkOrderPage> {
  const params: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) {
      if (v.length) params[k] = v.join(',')
    } else params[k] = v as string | number
  }
  const res = await http.get<WorkOrderPage>('/work-orders', { params })
  return res.data
}

export async function getWorkOrder(id: number): Promise<WorkOrder> {
  const res = await http.get<WorkOrder>(`/work-orders/${id}`)
  return res.data
}

/** The customer's contact for a job (GET /work-orders/{id}/contact). */
export interface WorkOrderContact {
  work_order_id: number
  customer_id: number
  name: string
  phones: { id: number; number: string; masked: boolean; kind: string; label: string; primary: boolean }[]
  service_address: { id: number; region_code: string; region_name: string; detail: string; default: boolean } | null
  /** When the outlet stops seeing it (closed orders); null while open. */
  visible_until: string | null
}

/** getWorkOrderContact reads the customer's name, phone and service address; the read is logged (PIPL). */
export async function getWorkOrderContact(id: number): Promise<WorkOrderContact> {
  const res = await http.get<WorkOrderContact>(`/work-orders/${id}/contact`)
  return res.data
}

async function step<B extends object>(id: number, path: string, body: B): Promise<WorkOrder> {
  const res = await http.post<WorkOrder>(`/work-orders/${id}/${path}`, body)
  return res.data
}

export const acceptWorkOrder = (id: number, version: number) => step(id, 'accept', { version })

export const rejectWorkOrder = (id: number, reason: string, version: number) => step(id, 'reject', { reason, version })

export const assignTechnician = (id: number, technicianStaffId: number, version: number) =>
  step(id, 'assign', { technician_staff_id: technicianStaffId, version })

/** at / until are UTC RFC 3339 instants; until defaults to two hours after at. */
export const setAppointment = (id: number, at: string, until: string | null, version: number) =>
  step(id, 'appointment', until ? { at, until, version } : { at, version })

export const contactCustomer = (id: number, note: string, version: number) => step(id, 'contact', { note, version })

/** The technician set off: the customer is told by SMS (trigger technician_on_the_way). */
export const onTheWay = (id: number, note: string, version: number) => step(id, 'on-the-way', { note, version })

export const checkIn = (id: number, note: string, version: number) => step(id, 'check-in', { note, version })

export const completeWorkOrder = (id: number, result: WorkOrderResult, notes: string, version: number) =>
  step(id, 'complete', { result, notes, version })

export const signOff = (id: number, signedBy: string, version: number) => step(id, 'sign-off', { signed_by: signedBy, version })

// ---- dispatch (hotline side, permission workorder:dispatch) ----

/** POST /tickets/{id}/dispatch body: without outlet_id the best candidate outlet gets the offer. */
export interface DispatchInput {
  kind: WorkOrderKind
  outlet_id?: number | null
  distance_band?: DistanceBand | ''
  note?: string
}

/** dispatchTicket creates a work order for a ticket and offers it to an outlet. */
export async function dispatchTicket(ticketId: number, input: DispatchInput): Promise<WorkOrder> {
  const body: Record<string, unknown> = { kind: input.kind }
  if (input.outlet_id) body.outlet_id = input.outlet_id
  if (input.distance_band) body.distance_band = input.distance_band
  if (input.note) body.note = input.note
  const res = await http.post<WorkOrder>(`/tickets/${ticketId}/dispatch`, body)
  return res.data
}

/** redispatch offers pending or unassigned work to outletId, or to the next candidate. */
export const redispatchWorkOrder = (id: number, outletId: number | null, version: number) =>
  step(id, 'redispatch', outletId ? { outlet_id: outletId, version } : { version })

export const cancelWorkOrder = (id: number, reason: string, version: number) => step(id, 'cancel', { reason, version })
