// Customers, their units and the agent's screen-pop (permissions
// customer:read / customer:update). Shapes follow
// backend/internal/httpapi/handlers_customer.go and handlers_product.go
// exactly.
import { http } from './http'

export type CustomerKind = 'person' | 'company'

export interface Consent {
  sms: boolean
  survey: boolean
  marketing: boolean
}

/** The customer record itself. */
export interface Customer {
  id: number
  name: string
  kind: CustomerKind
  consent: Consent
  version: number
  created_at: string
  updated_at: string
}

/** A phone number, masked ("138****5678") unless the caller may see it. */
export interface Phone {
  id: number
  number: string
  masked: boolean
  kind: string
  label: string
  primary: boolean
}

export interface Address {
  id: number
  region_code: string
  /** "广东省 深圳市 南山区" */
  region_name: string
  detail: string
  default: boolean
}

/** GET /customers/{id}, POST /customers. */
export interface CustomerProfile {
  customer: Customer
  phones: Phone[]
  addresses: Address[]
}

/** A named model or category on a unit card. */
export interface Ref {
  id: number
  code: string
  name: string
}

/** return, exchange, repair (三包 windows still open), expired, unknown. */
export type WarrantyState = 'return' | 'exchange' | 'repair' | 'expired' | 'unknown'

/** A computed warranty; dates are the last day of each window, calendar dates. */
export interface Warranty {
  state: WarrantyState
  return_until: string | null
  exchange_until: string | null
  repair_until: string | null
}

/** A standing flag on a unit: recall_open, replacement_entitled, … Its
 * title is a code with params (labels.passport, src/i18n/labels.ts). */
export interface UnitFlag {
  kind: string
  title_code: string
  title_params: Record<string, unknown> | null
  ref: string
}

/** A unit with its model, category, warranty today and flags. */
export interface UnitCard {
  id: number
  serial: string
  model: Ref
  category: Ref
  customer_id: number | null
  purchase_date: string | null
  purchase_proof: string
  production_lot: string
  production_date: string | null
  installed_at: string | null
  warranty: Warranty
  flags: UnitFlag[]
  version: number
  created_at: string
}

/** An open ticket of the caller, on the screen-pop. */
export interface OpenTicket {
  id: number
  number: string
  type: string
  priority: string
  status: string
  unit_id: number | null
  description: string
  outlet_id: number | null
  sla_due_at: string | null
  sla_breached: boolean
  created_at: string
}

/** GET /customers?phone= : who is calling. */
export interface ScreenPop {
  customer: Customer
  phones: Phone[]
  addresses: Address[]
  units: UnitCard[]
  open_tickets: OpenTicket[]
}

/** screenPop looks the caller up by any phone number (404 when unknown, 422 when not a phone number). */
export async function screenPop(phone: string): Promise<ScreenPop> {
  const res = await http.get<ScreenPop>('/customers', { params: { phone } })
  const d = res.data
  return { ...d, phones: d.phones ?? [], addresses: d.addresses ?? [], units: d.units ?? [], open_tickets: d.open_tickets ?? [] }
}

/** POST /customers body. */
export interface CreateCustomerInput {
  name: string
  kind?: CustomerKind
  phones: { number: string; label?: string; primary?: boolean }[]
  addresses: { region_code: string; detail: string; default?: boolean }[]
  consent?: Partial<Consent>
}

/** createCustomer answers 409 duplicate_phone when a number belongs to someone. */
export async function createCustomer(input: CreateCustomerInput): Promise<CustomerProfile> {
  const res = await http.post<CustomerProfile>('/customers', input)
  return res.data
}

export async function getCustomer(id: number): Promise<CustomerProfile> {
  const res = await http.get<CustomerProfile>(`/customers/${id}`)
  return res.data
}

/** A customer's units with warranty (GET /units?customer_id=). */
export async function listUnits(customerId: number): Promise<UnitCard[]> {
  const res = await http.get<{ items: UnitCard[] | null }>('/units', { params: { customer_id: customerId } })
  return res.data.items ?? []
}
