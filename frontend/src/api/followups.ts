// The 回访 (follow-up call) queue (permission followup:work). Shapes follow
// backend/internal/httpapi/handlers_survey.go exactly.
import { http } from './http'
import type { Page } from './types'
import type { SurveyTemplate } from './surveys'

export type FollowupKind = 'after_close' | 'supervisor_callback'
export type FollowupStatus = 'due' | 'answered' | 'done' | 'unreachable' | 'refused' | 'cancelled'
export const FOLLOWUP_STATUSES: readonly FollowupStatus[] = ['due', 'answered', 'done', 'unreachable', 'refused', 'cancelled']
export type CallOutcome = 'reached' | 'no_answer' | 'busy' | 'wrong_number' | 'refused'
export const CALL_OUTCOMES: readonly CallOutcome[] = ['reached', 'no_answer', 'busy', 'wrong_number', 'refused']

/** One entry of the queue. callable_by_me is false for the ticket's own agent. */
export interface Followup {
  id: number
  kind: FollowupKind
  status: FollowupStatus
  invitation_id: number | null
  response_id: number | null
  source_response_id: number | null
  template_id: number
  ticket_id: number | null
  ticket_number?: string
  customer_id: number
  unit_id: number | null
  outlet_id: number | null
  agent_id: number | null
  callable_by_me: boolean
  closed_at: string | null
  due_at: string
  late: boolean
  attempts: number
  max_attempts: number
  last_attempt_at: string | null
  last_outcome?: CallOutcome | ''
  completed_at: string | null
  completed_by?: string
  note?: string
  version: number
  created_at: string
}

export interface FollowupAttempt {
  at: string
  actor: string
  outcome: CallOutcome
  note?: string
}

/** A recorded answer of a response. */
export interface SurveyAnswer {
  code: string
  type: string
  target: string
  question: string
  score?: number | null
  yes?: boolean | null
  text?: string
}

/** The dissatisfied response a supervisor call-back is about. */
export interface SourceResponse {
  id: number
  answered_at: string
  csat: number | null
  nps: number | null
  min_score: number | null
  dissatisfied: boolean
  answers: SurveyAnswer[]
  comment?: string
}

/** GET /followups/{id}: the entry with its script (the template's questions) and attempts. */
export interface FollowupDetail extends Followup {
  script: SurveyTemplate
  attempts_log: FollowupAttempt[]
  source_response?: SourceResponse
}

export interface FollowupQuery {
  status?: FollowupStatus | ''
  kind?: FollowupKind | ''
  overdue?: boolean
  exclude_own?: boolean
  ticket_id?: number
  page: number
  size: number
}

export async function listFollowups(q: FollowupQuery): Promise<Page<Followup>> {
  const params: Record<string, string | number | boolean> = { page: q.page, size: q.size }
  if (q.status) params.status = q.status
  if (q.kind) params.kind = q.kind
  if (q.overdue) params.overdue = true
  if (q.exclude_own) params.exclude_own = true
  if (q.ticket_id) params.ticket_id = q.ticket_id
  const res = await http.get<Page<Followup>>('/followups', { params })
  return { ...res.data, items: res.data.items ?? [] }
}

export async function getFollowup(id: number): Promise<FollowupDetail> {
  const res = await http.get<FollowupDetail>(`/followups/${id}`)
  return { ...res.data, attempts_log: res.data.attempts_log ?? [] }
}

/** POST /followups/{id}/attempts body; answers (question code → value) when reached on a 回访. */
export interface AttemptInput {
  outcome: CallOutcome
  answers?: Record<string, number | boolean | string>
  comment?: string
  note?: string
  version: number
}

export async function recordAttempt(id: number, input: AttemptInput): Promise<{ followup: Followup }> {
  const res = await http.post<{ followup: Followup }>(`/followups/${id}/attempts`, input)
  return res.data
}
