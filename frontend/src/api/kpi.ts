// KPIs computed by the server over a period [from, to): complaints
// (GET /kpi/complaints), satisfaction surveys and 回访 (GET /kpi/surveys) and
// repairs (GET /kpi/repairs, when the repair service is routed). Outlet
// scorecards live in api/outlets.ts. Rates are 0–1, or null when nothing
// counted. from/to are sent as UTC RFC 3339 instants (local midnights in the
// user's zone), which every KPI endpoint accepts.
import { http } from './http'
import { withLang } from './download'

/** The period of a KPI query. */
export interface Period {
  from: string
  to: string
}

/** improvement.Stats: corrective actions raised in the period. */
export interface CorrectiveStats {
  created: number
  closed: number
  verified: number
  ineffective: number
  open_now: number
  overdue_now: number
  closed_on_time: number
}

/** httpapi.ComplaintKPIResponse (complaint.KPI + corrective actions). */
export interface ComplaintKPI {
  from: string
  to: string
  complaints: number
  installed_base: number | null
  complaint_rate: number | null
  ack_measured: number
  ack_within_limit: number
  ack_within_limit_rate: number | null
  resolve_measured: number
  resolved_within_limit: number
  resolved_within_limit_rate: number | null
  resolved: number
  resolution_rate: number | null
  closed: number
  customer_confirmed: number
  followed_up: number
  escalated: number
  by_severity: Record<string, number>
  by_category: Record<string, number>
  by_source: Record<string, number>
  corrective_actions: CorrectiveStats
}

/** survey.ChannelKPI */
export interface ChannelKPI {
  sent: number
  answered: number
  response_rate: number | null
}

/** survey.FollowupKPI: 回访 figures. */
export interface FollowupKPI {
  total: number
  answered: number
  unreachable: number
  refused: number
  cancelled: number
  open: number
  open_overdue: number
  measured: number
  within_limit: number
  within_limit_rate: number | null
  callbacks: number
  callbacks_done: number
  callbacks_late: number
  attempts_per_followup: number | null
}

/** survey.KPI */
export interface SurveyKPI {
  from: string
  to: string
  sent: number
  answered: number
  response_rate: number | null
  non_response: number
  expired: number
  unreachable: number
  refused: number
  pending: number
  by_channel: Record<string, ChannelKPI>
  responses: number
  csat_count: number
  csat_average: number | null
  csat_satisfied: number
  csat_satisfied_rate: number | null
  nps_count: number
  promoters: number
  passives: number
  detractors: number
  nps: number | null
  agent_count: number
  agent_average: number | null
  technician_count: number
  technician_average: number | null
  dissatisfied: number
  followups: FollowupKPI
}

/** httpapi.RepairKPIResponse */
export interface RepairKPI {
  from: string
  to: string
  repeat_window_days: number
  completed: number
  first_time_fix: number
  first_time_fix_rate: number | null
  repeat: number
  repeat_rate: number | null
  record_complete: number
  record_complete_rate: number | null
  in_warranty: number
  charge_fen: number
  claim_fen: number
  old_parts_pending: number
  not_first_time_fix_ids: string[] | null
}

export async function complaintKPI(p: Period): Promise<ComplaintKPI> {
  const res = await http.get<ComplaintKPI>('/kpi/complaints', { params: p })
  const k = res.data
  return { ...k, by_severity: k.by_severity ?? {}, by_category: k.by_category ?? {}, by_source: k.by_source ?? {} }
}

export async function surveyKPI(p: Period): Promise<SurveyKPI> {
  const res = await http.get<SurveyKPI>('/kpi/surveys', { params: p })
  return { ...res.data, by_channel: res.data.by_channel ?? {} }
}

export async function repairKPI(p: Period, outletId?: number): Promise<RepairKPI> {
  const params: Record<string, string | number> = { ...p }
  if (outletId) params.outlet_id = outletId
  const res = await http.get<RepairKPI>('/kpi/repairs', { params })
  return res.data
}

// ---- recall completion (per campaign; GET /recalls, /recalls/:id/progress)

/** httpapi.RecallCountsResponse */
export interface RecallCounts {
  affected: number
  owners: number
  no_owner: number
  notified: number
  scheduled: number
  remedied: number
  completion_rate: number | null
}

/** The part of httpapi.RecallCampaignResponse the KPI page shows. */
export interface RecallCampaign {
  id: number
  number: string
  title: string
  hazard_level: string
  remedy: string
  start_date: string | null
  status: string
  counts: RecallCounts
  created_at: string
}

/** httpapi.RecallWeekResponse: completion by week since the start date. */
export interface RecallWeek {
  week: number
  starts_on: string
  notified: number
  remedied: number
  cum_notified: number
  cum_remedied: number
  completion_rate: number | null
}

export async function listRecallCampaigns(status?: string): Promise<RecallCampaign[]> {
  const params: Record<string, string | number> = { page: 1, size: 200 }
  if (status) params.status = status
  const res = await http.get<{ items: RecallCampaign[] }>('/recalls', { params })
  return res.data.items ?? []
}

export async function recallProgress(id: number): Promise<{ counts: RecallCounts; weeks: RecallWeek[] }> {
  const res = await http.get<{ counts: RecallCounts; weeks: RecallWeek[] }>(`/recalls/${id}/progress`)
  return { counts: res.data.counts, weeks: res.data.weeks ?? [] }
}

/** The campaign's Excel report (needs customer:read). */
export function recallReportUrl(id: number): string {
  return withLang(`/api/v1/recalls/${id}/report.xlsx`)
}
