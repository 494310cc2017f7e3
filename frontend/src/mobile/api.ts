// The phone's API client: fetch, JSON, the backend's error shape. The phone
// does not load axios or the desktop console's client; the offline queue
// (queue.ts) sends writes through send() below.

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
    const err = (data as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | null)?.error
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText, err?.fields ?? {})
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

export const api = {
  me: () => get<Me>('/me'),
  login: (username: string, password: string) => send<{ user: Me }>('POST', '/auth/login', { username, password }),
  logout: () => send<void>('POST', '/auth/logout'),
  jobs: () => get<{ items: Job[] }>('/mobile/jobs').then((r) => r.items),
  contact: (workOrderID: number) => get<Contact>(`/work-orders/${workOrderID}/contact`),
  /** partByCode finds the catalogue part whose code is exactly the scanned text. */
  async partByCode(code: string): Promise<Part | null> {
    const r = await get<{ items: Part[] }>(`/parts?q=${encodeURIComponent(code)}`)
    return r.items.find((p) => p.code.toUpperCase() === code.toUpperCase()) ?? null
  },
}
