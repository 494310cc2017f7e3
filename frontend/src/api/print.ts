// Print data of the four printouts (backend/internal/httpapi/handlers_print.go).
import { http } from './http'

export type PrintKind = 'work-order' | 'repair' | 'return' | 'recall-notice'

export interface PrintLine {
  kind: 'part' | 'labour'
  code: string
  name: string
  qty: number
  unit_fen: number
  amount_fen: number
  under_warranty: boolean
}

export interface PrintDocument {
  kind: 'work_order' | 'repair_receipt' | 'return_voucher' | 'recall_notice'
  number: string
  ticket_number: string
  customer_name: string
  product: { model_code: string; model_name: string; serial: string; purchase_date: string | null }
  outlet: { name: string; phone: string; address: string }
  technician: string
  status_path: string
  issued_at: string
  created_at: string | null
  work_kind?: string
  fault?: string
  fault_code?: string
  appointment_at?: string | null
  note?: string
  diagnosis?: string
  in_warranty?: boolean
  warranty_state?: string
  lines?: PrintLine[]
  labour_fen: number
  parts_fen: number
  charge_fen: number
  result?: string
  completed_at?: string | null
  return_kind?: string
  reason?: string
  requested_on?: string | null
  window_until?: string | null
  status?: string
  decision?: string
  decision_reason?: string
  refund_fen: number
  replacement_serial?: string
  campaign_number?: string
  campaign_title?: string
  hazard_level?: string
  remedy?: string
  remedy_description?: string
  start_date?: string | null
}

const PATH: Record<PrintKind, string> = {
  'work-order': 'work-orders',
  repair: 'repairs',
  return: 'returns',
  'recall-notice': 'recall-units',
}

export async function getPrintDocument(kind: PrintKind, id: number): Promise<PrintDocument> {
  const res = await http.get<PrintDocument>(`/${PATH[kind]}/${id}/print`)
  return res.data
}
