// The customer's public pages (no login). Shapes follow
// backend/internal/httpapi/handlers_public.go and handlers_survey.go
// exactly. These calls never need a session.
import { http } from './http'
import type { Region } from './regions'
import type { Warranty } from './customers'

// ---- survey behind a link ----

/** A question of the public survey form; min/max for rating scales. */
export interface PublicQuestion {
  code: string
  text: string
  type: 'csat' | 'nps' | 'yes_no' | 'text'
  target: string
  required: boolean
  min?: number
  max?: number
}

/** GET /public/surveys/{token}: the form, never pre-filled (404 unknown, 409 already_answered, 410 survey_expired). */
export interface PublicSurvey {
  name: string
  intro: string
  ticket_number?: string
  expires_at: string | null
  questions: PublicQuestion[]
}

export async function getPublicSurvey(token: string): Promise<PublicSurvey> {
  const res = await http.get<PublicSurvey>(`/public/surveys/${encodeURIComponent(token)}`)
  return { ...res.data, questions: res.data.questions ?? [] }
}

export type AnswerValue = number | boolean | string

/** submitPublicSurvey records the answers once (409 already_answered, 410 survey_expired, 422 names the question). */
export async function submitPublicSurvey(token: string, answers: Record<string, AnswerValue>, comment: string): Promise<void> {
  await http.post(`/public/surveys/${encodeURIComponent(token)}`, { answers, comment })
}

// ---- warranty check ----

export interface PublicRef {
  code: string
  name: string
}

export interface PublicWarranty {
  serial: string
  model: PublicRef
  category: PublicRef
  purchase_date: string | null
  warranty: Warranty
  policy: { return_days: number; exchange_days: number; repair_warranty_months: number; replace_after_repairs: number }
  notices: { kind: string; title_code: string; title_params: Record<string, unknown> | null }[]
}

export async function checkWarranty(serial: string): Promise<PublicWarranty> {
  const res = await http.get<PublicWarranty>(`/public/warranty/${encodeURIComponent(serial.trim())}`)
  return { ...res.data, notices: res.data.notices ?? [] }
}

// ---- ticket status ----

/** A customer-visible step: created, status (with status), dispatch, visit (with step). */
export interface PublicTimelineEntry {
  at: string
  kind: 'created' | 'status' | 'dispatch' | 'visit'
  status?: string
  step?: string
}

export interface PublicVisit {
  kind: string
  status: string
  appointment_at: string | null
  appointment_until: string | null
  arrived_at: string | null
  completed_at: string | null
}

export interface PublicTicketStatus {
  number: string
  type: string
  status: string
  created_at: string
  updated_at: string
  resolved_at: string | null
  closed_at: string | null
  visit: PublicVisit | null
  timeline: PublicTimelineEntry[]
}

/** ticketStatus answers 404 both for an unknown number and a phone that is not the customer's. */
export async function ticketStatus(number: string, phone: string): Promise<PublicTicketStatus> {
  const res = await http.get<PublicTicketStatus>(`/public/tickets/${encodeURIComponent(number.trim())}`, { params: { phone: phone.trim() } })
  return { ...res.data, timeline: res.data.timeline ?? [] }
}

// ---- service request ----

export type ServiceRequestType = 'repair' | 'installation' | 'consultation' | 'other'
export const SERVICE_REQUEST_TYPES: readonly ServiceRequestType[] = ['repair', 'installation', 'consultation', 'other']

export interface ServiceRequestInput {
  name: string
  phone: string
  region_code: string
  address: string
  serial?: string
  type: ServiceRequestType
  description: string
  preferred_time?: string
}

export interface ServiceRequestCreated {
  number: string
  status: string
  created_at: string
}

/** submitServiceRequest opens a web ticket; the same idempotencyKey answers the same ticket. */
export async function submitServiceRequest(input: ServiceRequestInput, idempotencyKey: string): Promise<ServiceRequestCreated> {
  const res = await http.post<ServiceRequestCreated>('/public/service-requests', input, { headers: { 'Idempotency-Key': idempotencyKey } })
  return res.data
}

/** Child regions for the address picker (provinces without parent). */
export async function publicRegions(parent?: string): Promise<Region[]> {
  const res = await http.get<{ items: Region[] | null }>('/public/regions', { params: parent ? { parent } : {} })
  return res.data.items ?? []
}

// ---- FAQ and manuals ----

export interface FaqArticle {
  id: number
  title: string
  body: string
  topic: string
  product_category_id: number | null
  updated_at: string
}

export async function listFaq(q = ''): Promise<FaqArticle[]> {
  const res = await http.get<{ items: FaqArticle[] | null }>('/public/faq', { params: q ? { q, size: 200 } : { size: 200 } })
  return res.data.items ?? []
}

export interface Manual {
  id: number
  title: string
  description: string
  product_category_id: number | null
  model_code: string
  language: string
  source: 'file' | 'url'
  /** Where to get it: the download route of an uploaded file, or the link. */
  url: string
  file_name?: string
  size?: number
  updated_at: string
}

export async function listManuals(model = ''): Promise<Manual[]> {
  const res = await http.get<{ items: Manual[] | null }>('/public/manuals', { params: model ? { model, size: 200 } : { size: 200 } })
  return res.data.items ?? []
}

/** One published price (收费标准) of GET /price-list. */
export interface PriceItem {
  kind: 'part' | 'labour'
  code: string
  name: string
  spec?: string
  /** The part's unit as entered; "" for labour, which is priced per job. */
  unit: string
  price_fen: number
}

export interface PriceList {
  currency: string
  /** The policy the page states (customerPages.prices.notes.<code>). */
  note_code: string
  parts: PriceItem[]
  labour: PriceItem[]
}

export async function priceList(): Promise<PriceList> {
  const res = await http.get<PriceList>('/price-list')
  return { ...res.data, parts: res.data.parts ?? [], labour: res.data.labour ?? [] }
}
