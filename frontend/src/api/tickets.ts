// Hotline tickets (permissions ticket:read / ticket:create / ticket:update /
// ticket:export). Shapes follow backend/internal/httpapi/handlers_ticket.go
// exactly. Edits send the version read; a 409 version_conflict means
// someone else changed the ticket in between.
import { http } from './http'
import { fileNameOf } from './download'

export type TicketChannel = 'phone' | 'web' | 'online' | 'walk_in' | 'wechat'
export const TICKET_CHANNELS: readonly TicketChannel[] = ['phone', 'web', 'online', 'walk_in', 'wechat']

export type TicketType =
  | 'consultation'
  | 'installation'
  | 'repair'
  | 'complaint'
  | 'return_exchange'
  | 'recall'
  | 'other'
export const TICKET_TYPES: readonly TicketType[] = [
  'consultation', 'installation', 'repair', 'complaint', 'return_exchange', 'recall', 'other',
]

export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent'
export const TICKET_PRIORITIES: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent']

export type TicketStatus =
  | 'new'
  | 'assigned'
  | 'in_progress'
  | 'waiting_customer'
  | 'waiting_parts'
  | 'resolved'
  | 'closed'
export const TICKET_STATUSES: readonly TicketStatus[] = [
  'new', 'assigned', 'in_progress', 'waiting_customer', 'waiting_parts', 'resolved', 'closed',
]
/** Statuses of a ticket still being worked on. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'assigned', 'in_progress', 'waiting_customer', 'waiting_parts']

export type SlaTarget = 'first_response' | 'outlet_accept' | 'customer_contact' | 'onsite_arrival' | 'resolution'
export type ClockState = 'not_started' | 'running' | 'warning' | 'paused' | 'met' | 'breached' | 'stopped'

/** One SLA clock; durations are seconds of working time of the ticket's calendar. */
export interface SlaClock {
  target: SlaTarget
  state: ClockState
  segment: number
  policy_id?: string
  duration_seconds: number
  started_at: string | null
  due_at: string | null
  warn_from?: string | null
  met_at?: string | null
  stopped_at?: string | null
  elapsed_seconds: number
  remaining_seconds: number
  paused_seconds: number
  pause_reason?: string
  stop_reason?: string
  band?: string
  breached: boolean
  open: boolean
  fraction_used: number
  previous?: SlaClock[]
}

/** A ticket; clocks and sla_frozen only on the ticket's own endpoints. */
export interface Ticket {
  id: number
  number: string
  channel: TicketChannel
  type: TicketType
  priority: TicketPriority
  status: TicketStatus
  allowed_transitions: TicketStatus[] | null
  customer_id: number
  unit_id: number | null
  category_id: number | null
  fault_code: string
  region_code: string
  description: string
  assignee_id: number | null
  team: string
  outlet_id: number | null
  distance_band?: string
  merged_into_id: number | null
  reopen_count: number
  close_reason?: string
  sla_policy: string
  sla_due_at: string | null
  sla_breached: boolean
  first_response_at: string | null
  assigned_at: string | null
  resolved_at: string | null
  closed_at: string | null
  created_at: string
  updated_at: string
  version: number
  clocks?: SlaClock[]
  sla_frozen?: boolean
}

export type TicketSort = '-created_at' | 'created_at' | '-priority' | 'priority'

/** Filters of GET /tickets (keyset paged by cursor). */
export interface TicketQuery {
  status?: TicketStatus[]
  type?: TicketType | ''
  priority?: TicketPriority | ''
  outlet_id?: number | null
  assignee_id?: number | null
  customer_id?: number | null
  unit_id?: number | null
  /** YYYY-MM-DD local date, or RFC 3339. */
  created_from?: string
  /** Exclusive. */
  created_to?: string
  sort?: TicketSort
  cursor?: string
  size?: number
}

export interface TicketPage {
  items: Ticket[]
  /** Empty on the last page. */
  next_cursor: string
}

/** queryParams turns a ticket query into URL parameters (empty values dropped). */
export function queryParams(q: TicketQuery): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) {
      if (v.length) out[k] = v.join(',')
    } else out[k] = v as string | number
  }
  return out
}

export async function listTickets(q: TicketQuery): Promise<TicketPage> {
  const res = await http.get<{ items: Ticket[] | null; next_cursor: string }>('/tickets', { params: queryParams(q) })
  return { items: res.data.items ?? [], next_cursor: res.data.next_cursor ?? '' }
}

export async function getTicket(id: number): Promise<Ticket> {
  const res = await http.get<Ticket>(`/tickets/${id}`)
  return res.data
}

/** POST /tickets body. priority defaults to normal; region_code to the customer's address. */
export interface CreateTicketInput {
  channel: TicketChannel
  type: TicketType
  priority?: TicketPriority
  customer_id: number
  unit_id?: number | null
  category_id?: number | null
  fault_code?: string
  region_code?: string
  description: string
  assignee_id?: number | null
  team?: string
}

/**
 * createTicket opens a ticket. The same idempotencyKey answers the original
 * ticket (replayed = true) instead of opening a second one.
 */
export async function createTicket(input: CreateTicketInput, idempotencyKey: string): Promise<{ ticket: Ticket; replayed: boolean }> {
  const res = await http.post<Ticket>('/tickets', input, { headers: { 'Idempotency-Key': idempotencyKey } })
  return { ticket: res.data, replayed: res.status === 200 }
}

/** PATCH /tickets/{id}: absent fields stay; 0 clears unit_id / category_id. */
export interface PatchTicketInput {
  type?: TicketType
  priority?: TicketPriority
  description?: string
  fault_code?: string
  region_code?: string
  team?: string
  category_id?: number
  unit_id?: number
}

export async function patchTicket(id: number, input: PatchTicketInput, version: number): Promise<Ticket> {
  const res = await http.patch<Ticket>(`/tickets/${id}`, { ...input, version })
  return res.data
}

/** transitionTicket moves a ticket; 409 invalid_transition names the allowed statuses. */
export async function transitionTicket(id: number, status: TicketStatus, reason: string, version: number): Promise<Ticket> {
  const res = await http.post<Ticket>(`/tickets/${id}/transition`, { status, reason, version })
  return res.data
}

/** reopenTicket reopens a resolved or closed ticket (restarts the resolution clock). */
export async function reopenTicket(id: number, reason: string, version: number): Promise<Ticket> {
  const res = await http.post<Ticket>(`/tickets/${id}/reopen`, { reason, version })
  return res.data
}

/** assignTicket sets the agent (0 unassigns) and/or the team. */
export async function assignTicket(id: number, input: { assignee_id?: number; team?: string }, version: number): Promise<Ticket> {
  const res = await http.post<Ticket>(`/tickets/${id}/assign`, { ...input, version })
  return res.data
}

/** mergeTicket merges the duplicate sourceId into ticket id. */
export async function mergeTicket(id: number, sourceId: number, reason: string): Promise<Ticket> {
  const res = await http.post<Ticket>(`/tickets/${id}/merge`, { source_id: sourceId, reason })
  return res.data
}

export type TicketEventKind =
  | 'created'
  | 'note'
  | 'call'
  | 'status_change'
  | 'assignment'
  | 'update'
  | 'dispatch'
  | 'work_order'
  | 'merge'
  | 'sla'

/** A timeline entry; data holds structured details (e.g. from/to statuses). */
export interface TicketEvent {
  id: number
  ticket_id: number
  kind: TicketEventKind
  actor_id: number | null
  actor: string
  /** What a person wrote (a note, a call), or the stored text of an old line. */
  body: string
  /** A line the server wrote: its code and params (labels.timeline, src/i18n/labels.ts); '' for a person's line. */
  body_code: string
  body_params: Record<string, unknown> | null
  data: unknown
  at: string
}

/** listTicketEvents returns the timeline oldest first, after event `after`. */
export async function listTicketEvents(id: number, after = 0, size = 200): Promise<TicketEvent[]> {
  const res = await http.get<{ items: TicketEvent[] | null }>(`/tickets/${id}/events`, { params: { after, size } })
  return res.data.items ?? []
}

/** addTicketEvent records a note or a logged call. */
export async function addTicketEvent(id: number, kind: 'note' | 'call', body: string): Promise<TicketEvent> {
  const res = await http.post<TicketEvent>(`/tickets/${id}/events`, { kind, body })
  return res.data
}

/** What an export produced, from its headers. */
export interface ExportResult {
  blob: Blob
  fileName: string
  rows: number
  truncated: boolean
}

/**
 * exportTickets downloads the Excel export of the filtered tickets;
 * onProgress gets the fraction received (null while the size is unknown).
 */
export async function exportTickets(
  q: TicketQuery,
  onProgress: (fraction: number | null, loaded: number) => void,
  signal?: AbortSignal,
  maxRows?: number,
): Promise<ExportResult> {
  // The export covers the whole filtered set: paging fields are dropped.
  const filters: TicketQuery = { ...q }
  delete filters.cursor
  delete filters.size
  const params = queryParams(filters)
  if (maxRows) params.max_rows = maxRows
  const res = await http.get<Blob>('/tickets/export', {
    params,
    responseType: 'blob',
    timeout: 300_000,
    signal,
    onDownloadProgress: (e) => onProgress(e.total ? e.loaded / e.total : null, e.loaded),
  })
  return {
    blob: res.data,
    fileName: fileNameOf(String(res.headers['content-disposition'] ?? ''), 'tickets.xlsx'),
    rows: Number(res.headers['x-export-rows'] ?? 0),
    truncated: String(res.headers['x-export-truncated']) === 'true',
  }
}
