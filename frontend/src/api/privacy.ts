// The PIPL access log (permission audit:read): who saw which customer's
// unmasked phone or address, through which work order, when.
import { http } from './http'

/** One recorded read (GET /api/v1/privacy/access-log). */
export interface PiiAccess {
  id: number
  read_at: string
  user_id: number
  username: string
  outlet_id: number | null
  customer_id: number
  work_order_id: number | null
  /** Comma-separated: phone, address. */
  fields: string
  /** work_order (an outlet user's job) or customer_record. */
  purpose: string
  request_id: string
  ip: string
}

export interface PiiAccessPage {
  items: PiiAccess[]
  next_before_id: number | null
}

/** Filters accepted by GET /api/v1/privacy/access-log. */
export interface PiiAccessQuery {
  customer_id?: number | string
  user_id?: number | string
  work_order_id?: number | string
  before_id?: number
  size?: number
}

export async function listPiiAccess(query: PiiAccessQuery): Promise<PiiAccessPage> {
  const params: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params[k] = v as string | number
  }
  const res = await http.get<PiiAccessPage>('/privacy/access-log', { params })
  return { items: res.data.items ?? [], next_before_id: res.data.next_before_id ?? null }
}
