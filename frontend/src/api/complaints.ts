// Complaints (permissions complaint:read / complaint:manage). Shapes follow
// backend/internal/httpapi/handlers_complaint.go exactly. The hotline opens
// one from a ticket; the quality screens work it.
import { http } from './http'

export type ComplaintSource = 'ticket' | 'hotline' | 'online' | 'external' | 'survey'
export type ComplaintCategory = 'product_quality' | 'service_attitude' | 'repair_quality' | 'delay' | 'charges' | 'other'
export const COMPLAINT_CATEGORIES: readonly ComplaintCategory[] = [
  'product_quality', 'service_attitude', 'repair_quality', 'delay', 'charges', 'other',
]
export type ComplaintSeverity = 'normal' | 'major' | 'crisis'
export const COMPLAINT_SEVERITIES: readonly ComplaintSeverity[] = ['normal', 'major', 'crisis']

/** POST /complaints body (deadlines follow the severity; a crisis needs a responsible person and a plan). */
export interface CreateComplaintInput {
  source: ComplaintSource
  ticket_id?: number | null
  customer_id: number
  unit_id?: number | null
  outlet_id?: number | null
  category: ComplaintCategory
  severity?: ComplaintSeverity
  title: string
  description?: string
  responsible_name?: string
  crisis_plan?: string
}

/** The fields of a created complaint the hotline shows. */
export interface ComplaintCreated {
  id: number
  number: string
  status: string
  severity: ComplaintSeverity
}

export async function createComplaint(input: CreateComplaintInput): Promise<ComplaintCreated> {
  const res = await http.post<ComplaintCreated>('/complaints', input)
  return res.data
}

/** The fields of a complaint its detail page and lists show. */
export interface ComplaintSummary {
  id: number
  number: string
  source: string
  ticket_id: number | null
  category: string
  severity: string
  status: string
  title: string
  description: string
  received_at: string
  resolve_due_at: string
  resolved_at: string | null
  closed_at: string | null
}

/** GET /complaints?ticket_id=: the complaints opened from a ticket. */
export async function listComplaintsOfTicket(ticketId: number): Promise<ComplaintSummary[]> {
  const res = await http.get<{ items: ComplaintSummary[] }>('/complaints', { params: { ticket_id: ticketId, size: 50 } })
  return res.data.items ?? []
}

export async function getComplaint(id: number): Promise<ComplaintSummary> {
  const res = await http.get<ComplaintSummary>(`/complaints/${id}`)
  return res.data
}
