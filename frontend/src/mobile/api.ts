// The phone's API client: fetch, JSON, the backend's error shape. The phone
// does not load axios or the desktop console's client; the offline queue
// (queue.ts) sends writes through send() below. Error codes become words in
// the phone's language through the shared catalogue (i18n/apiErrors.ts).
import { errorCodeText, fieldErrorText, isFieldProblem, type Translate } from '@/i18n/apiErrors'
import { i18n } from './i18n'

const phoneTranslate: Translate = {
  t: (key, named) => i18n.global.t(key, named ?? {}),
  te: (key) => i18n.global.te(key),
}

/**
 * errorText says an error answer in the phone's language: its one field's
 * problem, or its code with details as params; the backend's English only
 * for a code the catalogue does not know.
 */
export function errorText(
  code: string,
  message: string,
  fields: Record<string, string>,
  details: Record<string, unknown> | undefined,
  tr: Translate = phoneTranslate,
): string {
  const texts = Object.values(fields)
  if (texts.length === 1 && (code === 'validation_failed' || code === 'invalid_parameter')) return texts[0] ?? message
  return errorCodeText(tr, code, details) ?? message
}

/** fieldTexts translates the API's field errors (a plain string is kept). */
export function fieldTexts(raw: unknown, tr: Translate = phoneTranslate): Record<string, string> {
  const out: Record<string, string> = {}
  if (!raw || typeof raw !== 'object') return out
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (isFieldProblem(v)) out[k] = fieldErrorText(tr, v)
    else if (typeof v === 'string') out[k] = v
  }
  return out
}

/** ApiError is a non-2xx answer (status 0: no answer, the phone is offline). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** offline reports that the request got no answer at all. */
  get offline(): boolean {
    return this.status === 0
  }
}

export const API_BASE = '/api/v1'

/** Body of a request: JSON, or a multipart form (uploads). */
export type Body = unknown | FormData

/** send makes one request and returns the parsed JSON answer. */
export async function send<T>(method: string, path: string, body?: Body, headers: Record<string, string> = {}): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', 'Accept-Language': document.documentElement.lang || 'zh-CN', ...headers }
  let payload: BodyInit | undefined
  if (body instanceof FormData) payload = body
  else if (body !== undefined) {
    h['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res: Response
  try {
    res = await fetch(API_BASE + path, { method, headers: h, body: payload, credentials: 'same-origin' })
  } catch (e) {
    throw new ApiError(0, 'offline', e instanceof Error ? e.message : String(e))
  }
  const text = await res.text()
  let data: unknown = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; fields?: unknown; details?: Record<string, unknown> } } | null)?.error
    const code = err?.code ?? `http_${res.status}`
    const fields = fieldTexts(err?.fields)
    throw new ApiError(res.status, code, errorText(code, err?.message ?? res.statusText, fields, err?.details), fields)
  }
  return data as T
}

export const get = <T>(path: string) => send<T>('GET', path)

// ---- the shapes the phone reads (a subset of the API's)

export interface Me {
  id: number
  username: string
  display_name: string
  roles: string[]
  permissions: string[]
  outlet_id: number | null
  timezone: string
}

export interface WorkOrder {
  id: number
  number: string
  ticket_id: number
  kind: string
  status: string
  allowed_steps: string[]
  outlet_id: number | null
  customer_id: number
  unit_id: number | null
  appointment_at: string | null
  appointment_until: string | null
  technician_staff_id?: number | null
  arrived_at: string | null
  arrived_lat: number | null
  arrived_lng: number | null
  completed_at: string | null
  result?: string
  signed_off_at: string | null
  arrival_due_at: string | null
  version: number
}

export interface Job {
  work_order: WorkOrder
  ticket_number: string
  fault_code: string
  fault_description: string
  product: { unit_id: number; serial: string; model_code: string; model_name: string } | null
  repair_id: number | null
}

export interface Contact {
  work_order_id: number
  customer_id: number
  name: string
  phones: { number: string; primary: boolean; masked: boolean }[]
  service_address: { region_code: string; region_name: string; detail: string } | null
}

export interface Part {
  id: number
  code: string
  name: string
}

/** An offer waiting at the manager's outlet (GET /mobile/offers). */
export interface Offer {
  work_order: WorkOrder
  offered_at: string | null
  expires_at: string | null
  seconds_left: number
  total_seconds: number
  area_code: string
  area_name: string
  ticket_number: string
  fault_code: string
  fault_description: string
}

/** A reason to reject an offer; the phone names it (offers.reasons.<code>). */
export interface RejectReason {
  code: string
}

/** The outlet's board (GET /outlets/{id}/board). */
export interface Board {
  outlet_id: number
  at: string
  offers_waiting: { work_order: WorkOrder; expires_at: string; seconds_left: number }[]
  appointments_today: WorkOrder[]
  arrivals_overdue: { work_order: WorkOrder; overdue_seconds: number }[]
  technicians: { staff_id: number; name: string; open: number; today: number }[]
}

export interface Staff {
  id: number
  name: string
  post: string
  active: boolean
  outlet_id: number | null
}

export interface StockBalance {
  part_id: number
  part_code: string
  part_name: string
  /** 0 for the central warehouse, else the outlet's id. */
  location_id: number
  on_hand: number
  min_level: number
  low: boolean
}

export interface Requisition {
  id: number
  number: string
  status: string
  outlet_id: number
  lines?: { part_id: number; qty: number; qty_shipped: number }[]
  requested_at: string
  shipped_at: string | null
  note: string
  version: number
}

export interface Notice {
  id: number
  kind: string
  title: string
  body: string
  link: string
  params: Record<string, unknown>
  read: boolean
  created_at: string
}

export interface PushConfig {
  enabled: boolean
  public_key: string
  subscriptions: number
}

export const api = {
  me: () => get<Me>('/me'),
  login: (username: string, password: string) => send<{ user: Me }>('POST', '/auth/login', { username, password }),
  logout: () => send<void>('POST', '/auth/logout'),
  jobs: () => get<{ items: Job[] }>('/mobile/jobs').then((r) => r.items),
  contact: (workOrderID: number) => get<Contact>(`/work-orders/${workOrderID}/contact`),
  offers: () => get<{ items: Offer[] }>('/mobile/offers').then((r) => r.items),
  rejectReasons: () => get<{ items: RejectReason[] }>('/mobile/reject-reasons').then((r) => r.items),
  accept: (id: number, version: number) => send<WorkOrder>('POST', `/work-orders/${id}/accept`, { version }),
  reject: (id: number, reasonCode: string, reason: string, version: number) =>
    send<WorkOrder>('POST', `/work-orders/${id}/reject`, { reason_code: reasonCode, reason, version }),
  board: (outletID: number) => get<Board>(`/outlets/${outletID}/board`),
  workOrders: (status: string) => get<{ items: WorkOrder[] }>(`/work-orders?status=${status}&size=100`).then((r) => r.items),
  staff: (outletID: number) => get<{ items: Staff[] }>(`/staff?outlet_id=${outletID}&active=true&size=200`).then((r) => r.items),
  assign: (id: number, staffID: number, version: number) =>
    send<WorkOrder>('POST', `/work-orders/${id}/assign`, { technician_staff_id: staffID, version }),
  stock: (partID: number) => get<{ items: StockBalance[] }>(`/stock?part_id=${partID}&size=50`).then((r) => r.items),
  requisitions: (status: string) => get<{ items: Requisition[] }>(`/requisitions?status=${status}&size=50`).then((r) => r.items),
  receive: (id: number, version: number) => send<Requisition>('POST', `/requisitions/${id}/receive`, { version }),
  notices: () => get<{ items: Notice[]; unread: number }>('/notifications?size=30'),
  unread: () => get<{ unread: number }>('/notifications/unread-count').then((r) => r.unread),
  readNotice: (id: number) => send<Notice>('POST', `/notifications/${id}/read`),
  readAll: () => send<unknown>('POST', '/notifications/read-all'),
  pushConfig: () => get<PushConfig>('/push'),
  pushSubscribe: (sub: PushSubscriptionJSON) => send<PushConfig>('POST', '/push/subscriptions', sub),
  pushUnsubscribe: (endpoint: string) => send<PushConfig>('POST', '/push/unsubscribe', { endpoint }),
  /** partByCode finds the catalogue part whose code is exactly the scanned text. */
  async partByCode(code: string): Promise<Part | null> {
    const r = await get<{ items: Part[] }>(`/parts?q=${encodeURIComponent(code)}`)
    return r.items.find((p) => p.code.toUpperCase() === code.toUpperCase()) ?? null
  },
}
