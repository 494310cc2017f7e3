// SLA policies, business calendars and work-order kinds' promised times
// (read: ticket:read / workorder:read; write: sla:manage). Shapes follow
// backend/internal/httpapi/handlers_sla.go and package sla exactly.
import { http } from './http'

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/**
 * A business calendar. weekly maps weekday names to working intervals
 * "HH:MM-HH:MM" (several per day); holidays and makeup_workdays (调休
 * working days) are "YYYY-MM-DD"; a make-up day follows the hours of
 * makeup_as (default monday); always_open is a 24×7 calendar.
 */
export interface CalendarData {
  code: string
  name: string
  timezone: string
  always_open: boolean
  weekly: Partial<Record<Weekday, string[]>> | null
  holidays: string[] | null
  makeup_workdays: string[] | null
  makeup_as: Weekday | ''
  note: string
}

export interface Calendar extends CalendarData {
  id: number
  version: number
  updated_at: string
}

/** SLA clocks a policy sets targets for. */
export const SLA_TARGETS = ['first_response', 'outlet_accept', 'customer_contact', 'onsite_arrival', 'resolution'] as const
export type SlaTarget = (typeof SLA_TARGETS)[number]

export const DISTANCE_BANDS = ['city', 'within_200km', 'within_500km', 'remote'] as const

export const TICKET_TYPES = ['consultation', 'installation', 'repair', 'complaint', 'return_exchange', 'recall', 'other'] as const
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
export const TICKET_STATUSES = ['new', 'assigned', 'in_progress', 'waiting_customer', 'waiting_parts', 'resolved', 'closed'] as const

/**
 * An SLA policy: the rule (ticket_type, priority, region; empty matches
 * any, the most specific active rule wins) and targets in working minutes
 * of the calendar named by calendar_code.
 */
export interface PolicyData {
  code: string
  name: string
  ticket_type: string
  priority: string
  region: string
  targets_minutes: Partial<Record<SlaTarget, number>> | null
  arrival_by_band_minutes: Partial<Record<(typeof DISTANCE_BANDS)[number], number>> | null
  pause_statuses: string[] | null
  /** Share of the target used at which a warning is raised, e.g. 0.8. */
  warn_at: number
  calendar_code: string
  active: boolean
}

export interface Policy extends PolicyData {
  id: number
  version: number
  updated_at: string
}

/** A work-order kind's promised times in working minutes (0 = none, the ticket policy applies). */
export interface WorkOrderKindPolicy {
  kind: string
  name: string
  accept_minutes: number
  contact_minutes: number
  arrival_city_minutes: number
  arrival_200km_minutes: number
  arrival_500km_minutes: number
  arrival_remote_minutes: number
  complete_minutes: number
  version: number
  updated_at: string
}

export async function listCalendars(): Promise<Calendar[]> {
  const res = await http.get<{ items: Calendar[] | null }>('/sla/calendars')
  return res.data.items ?? []
}

export async function createCalendar(input: CalendarData): Promise<Calendar> {
  const res = await http.post<Calendar>('/sla/calendars', input)
  return res.data
}

/** PUT replaces the calendar; the code cannot change. */
export async function updateCalendar(id: number, input: CalendarData, version: number): Promise<Calendar> {
  const res = await http.put<Calendar>(`/sla/calendars/${id}`, { ...input, version })
  return res.data
}

export async function listPolicies(): Promise<Policy[]> {
  const res = await http.get<{ items: Policy[] | null }>('/sla/policies')
  return res.data.items ?? []
}

export async function createPolicy(input: PolicyData): Promise<Policy> {
  const res = await http.post<Policy>('/sla/policies', input)
  return res.data
}

export async function updatePolicy(id: number, input: PolicyData, version: number): Promise<Policy> {
  const res = await http.put<Policy>(`/sla/policies/${id}`, { ...input, version })
  return res.data
}

export async function listWorkOrderKinds(): Promise<WorkOrderKindPolicy[]> {
  const res = await http.get<{ items: WorkOrderKindPolicy[] | null }>('/sla/work-order-kinds')
  return res.data.items ?? []
}

export async function updateWorkOrderKind(kind: string, input: Omit<WorkOrderKindPolicy, 'kind' | 'updated_at'>): Promise<WorkOrderKindPolicy> {
  const res = await http.put<WorkOrderKindPolicy>(`/sla/work-order-kinds/${encodeURIComponent(kind)}`, input)
  return res.data
}
