// Certification readiness (GB/T 27922): standard versions, score runs with
// their points ledger, diff, gaps, cheapest path, what-if, projection and
// plausibility. Shapes follow backend/internal/httpapi/handlers_readiness.go
// and the readiness package's JSON tags exactly. Scores come rounded once,
// half up, to two decimals by the engine; the UI shows them as they are.
import { http } from './http'
import { withLang } from './download'
import type { Page } from './schema'

/** A name or sentence in both languages the platform speaks. */
export interface Text {
  zh: string
  en: string
}

/** Data state of an indicator, kept apart from its points. */
export type IndicatorState = 'computed' | 'unknown' | 'not_applicable' | 'overridden'

/** How a leaf turns inputs into points. */
export type RuleKind = 'metric' | 'sample' | 'document' | 'ratio' | 'manual'

/** readiness.RuleInputs: the figures a leaf was scored from. */
export interface RuleInputs {
  numerator: number
  denominator: number
  value: number
  target: number
  floor: number
  required: number
  valid_until?: string | null
}

/** readiness.IndicatorResult: one line of the points ledger. */
export interface IndicatorResult {
  clause: string
  name: Text
  level: number
  leaf: boolean
  kind?: RuleKind
  inferred?: boolean
  points: number
  max: number
  applicable: number
  state: IndicatorState
  reason_codes?: string[] | null
  inputs: RuleInputs
  /** Top contributing records, e.g. "complaint:123". */
  record_ids?: string[] | null
  recoverable: number
  reason: Text
  action: Text
  justification?: string
  author?: string
  /** all_or_nothing | proportional | graded */
  scoring?: ScoringMode
  /** When the override or assessment was made. */
  decided_at?: string | null
  /** Evidence documents of an override, e.g. "document:12". */
  evidence?: string[] | null
}

/** How much of a leaf's points a result earns (clause 6). */
export type ScoringMode = 'all_or_nothing' | 'proportional' | 'graded'

/** readiness.Counts: leaves by state. */
export interface Counts {
  leaves: number
  computed: number
  unknown: number
  not_applicable: number
  overridden: number
  losing: number
  inferred: number
}

/** readiness.Notice: an input the engine could not use as given. */
export interface Notice {
  code: string
  clause?: string
  detail: string
}

/**
 * readiness.Deduction. The Go struct has no JSON tags, so its keys are the
 * Go field names.
 */
export interface Deduction {
  ID: string
  Clause: string
  Reason: string
  Suggested: boolean
}

/** httpapi.ScoreSummary: a scored result without its ledger. */
export interface ScoreSummary {
  total: number
  normalised: number
  actual: number
  applicable: number
  low: number
  high: number
  low_band: string
  high_band: string
  /** The bands at the two ends of the range. */
  band_low: string
  band_high: string
  /** Given only when complete (the range is certain). */
  band?: string
  band_name?: Text
  next_band: string
  next_band_name: Text
  to_next_band: number
  above_band: number
  /** Given only when complete. */
  failed?: boolean
  fail_reasons: string[]
  complete: boolean
  counts: Counts
  deduction_points: number
  bonus_points: number
  deductions: Deduction[]
  suggested_deductions: Deduction[]
  stars_withheld: boolean
  notices: Notice[] | null
}

/** httpapi.RunSummaryResponse: one run of the history. */
export interface RunSummary {
  id: number
  standard: string
  standard_version: number
  as_of: string
  audit_seq: number
  trigger: string
  created_by: string
  total: number
  low: number
  high: number
  band_low: string
  band_high: string
  /** Given only when complete. */
  band?: string
  next_band: string
  to_next_band: number
  above_band: number
  failed?: boolean
  complete: boolean
  ledger_run_id: number
  duration_ms: number
  created_at: string
  /**
   * running, done or error; only a done run has a score and a ledger.
   * building: the rollups are being built (after a migration or on a fresh
   * database), no run was started; progress counts days built of total.
   */
  status: RunStatus
  progress: RunProgress
  /** Why a run ended in error. */
  error?: string
}

/** A run's status. */
export type RunStatus = 'running' | 'done' | 'error' | 'building' | 'built'

/** httpapi.RunProgress: indicators done of total, the clause last worked on. */
export interface RunProgress {
  done: number
  total: number
  clause: string
}

/** httpapi.RunStateResponse: a run not done yet (or ended in error). */
export interface RunStateResponse {
  run: RunSummary
  /** Set on POST when a run was already in progress: this is it. */
  joined?: boolean
}

/** httpapi.RunResponse: a run with its score and ledger (parents first). */
export interface RunResponse {
  run: RunSummary
  score: ScoreSummary
  ledger: IndicatorResult[]
}

/** readiness.IndicatorChange: what moved on one indicator. */
export interface IndicatorChange {
  clause: string
  name: Text
  leaf: boolean
  points_before: number
  points_after: number
  delta: number
  state_before?: IndicatorState | ''
  state_after?: IndicatorState | ''
  reasons_added?: string[] | null
  reasons_removed?: string[] | null
  value_before: number
  value_after: number
  value_changed: boolean
  why: Text
}

/** GET /readiness/runs/:id/diff/:other */
export interface RunDiff {
  from: RunSummary
  to: RunSummary
  delta: number
  standard_changed: boolean
  changes: IndicatorChange[]
}

/** readiness.Gap: a leaf losing points. */
export interface Gap {
  clause: string
  name: Text
  kind: RuleKind
  state: IndicatorState
  points: number
  max: number
  recoverable: number
  score_gain: number
  inferred?: boolean
  reason_codes?: string[] | null
  reason: Text
  action: Text
  record_ids?: string[] | null
}

/** GET /readiness/gaps */
export interface GapsResponse {
  score: ScoreSummary
  gaps: Gap[]
}

/** readiness.Fix: one step of a path to a band. */
export interface Fix {
  clause?: string
  deduction_id?: string
  kind: string
  name: Text
  gain: number
  effort: number
  action: Text
}

/** readiness.Path: GET /readiness/cheapest-path */
export interface CheapestPath {
  from: string
  target: string
  target_name: Text
  reachable: boolean
  reason: Text
  fixes: Fix[]
  effort: number
  before: number
  after: number
  after_band: string
  verified: boolean
}

/** readiness.ChangeKind: hypothetical changes the what-if engine understands. */
export type ChangeKind =
  | 'certified_managers'
  | 'management_headcount'
  | 'measure_value'
  | 'measure_counts'
  | 'add_document'
  | 'remove_document'
  | 'not_applicable'
  | 'applicable'
  | 'add_deduction'
  | 'remove_deduction'
  | 'assessment'
  | 'override'
  | 'clear_override'
  | 'bonus'
  | 'clear_bonus'

/**
 * readiness.Change: one hypothetical change; only the fields its kind names
 * are read. (Documents are sent as text changes, see whatIf.ts: the nested
 * Go Document struct has no JSON tags.)
 */
export interface Change {
  kind: ChangeKind
  clause?: string
  measure?: string
  document_type?: string
  document_id?: string
  deduction_id?: string
  amount?: number
  relative?: boolean
  value?: number
  numerator?: number
  denominator?: number
  points?: number
  justification?: string
}

/** httpapi.WhatIfRequest */
export interface WhatIfRequest {
  standard?: string
  changes: Change[]
  /** Changes in the consultant's phrasing, e.g. "document crisis_plan approved". */
  texts: string[]
}

/** POST /readiness/what-if response. */
export interface WhatIfResponse {
  before: ScoreSummary
  after: ScoreSummary
  changes: IndicatorChange[]
  ledger: IndicatorResult[]
  delta: number
}

/** readiness.ProjectedEvent */
export interface ProjectedEvent {
  at: string
  kind: string
  clause?: string
  ref?: string
  text: Text
}

/** readiness.ScoreRange */
export interface ScoreRange {
  low: number
  high: number
  low_band: string
  high_band: string
}

/** GET /readiness/projection */
export interface ProjectionResponse {
  as_of: string
  at: string
  at_source: 'request' | 'next_audit'
  current: ScoreSummary
  steady: ScoreSummary
  projected: ScoreSummary
  range: ScoreRange
  events: ProjectedEvent[]
  changes: IndicatorChange[]
  trends: Record<string, number> | null
  trend_window_days: number
  notices: Notice[] | null
  ledger: IndicatorResult[]
}

/** readiness.Check: one plausibility check. */
export interface PlausibilityCheck {
  code: string
  status: 'ok' | 'warning' | 'unknown'
  title: Text
  detail: Text
  actual: number
  expected: number
  record_ids?: string[] | null
}

/** readiness.PlausibilityReport */
export interface PlausibilityReport {
  as_of: string
  next_audit?: string | null
  checks: PlausibilityCheck[]
  warnings: number
}

/** httpapi.StandardVersionResponse */
export interface StandardVersion {
  id: number
  code: string
  version: number
  title: string
  fingerprint: string
  source: string
  /** Why the version changed inferred parameters. */
  justification?: string
  created_by: string
  created_at: string
  latest: boolean
  active: boolean
}

/** GET /readiness/standards */
export interface StandardsList {
  items: StandardVersion[]
  problems: string[]
}

/** readiness.Band */
export interface Band {
  code: string
  min: number
  name: Text
}

/** readiness.Rule (only the fields of its kind are set). */
export interface Rule {
  kind: RuleKind
  measure?: string
  target?: number
  floor?: number
  window_months?: number
  min_population?: number
  if_empty?: string
  document_type?: string
  max_age_months?: number
  ratio?: number
  minimum?: number
}

/** readiness.Indicator: a node of the standard's tree. */
export interface StandardIndicator {
  clause: string
  name: Text
  points: number
  inferred?: boolean
  deletable?: boolean
  guidance: Text
  rule?: Rule
  children?: StandardIndicator[]
}

/** readiness.Standard as parsed from its YAML. */
export interface Standard {
  id: string
  code: string
  name: Text
  edition?: string
  issued?: string
  in_force?: string
  supersedes?: string
  source?: string
  window_months: number
  scoring: {
    fail: { code: string; name: Text }
    bands: Band[]
    special_deductions: { points_each: number; fail_at: number }
    bonus: { enabled: boolean; points: number; max_count: number }
    stars_after_pass: { enabled: boolean; months: number }
    effort: Record<string, number>
  }
  measures: { name: string; label: Text; numerator: string; denominator: string }[]
  document_types: { type: string; label: Text }[]
  indicators: StandardIndicator[]
}

/** GET /readiness/standards/:code */
export interface StandardDetail {
  version: StandardVersion
  content: string
  standard: Standard
}

/** PUT /readiness/standards/:code response (201 created, 200 unchanged). */
export interface PutStandardResponse {
  version: StandardVersion
  created: boolean
}

/** httpapi.DeductionResponse */
export interface DeductionRecord {
  id: number
  ref: string
  clause: string
  finding: string
  source: string
  record_ref: string
  status: 'suggested' | 'confirmed' | 'dismissed'
  found_on: string
  corrected_at: string | null
  correction: string
  author: string
  decided_by: string
  decided_at: string | null
  counting: boolean
  version: number
  created_at: string
}

/** httpapi.DeductionRequest */
export interface DeductionInput {
  clause: string
  finding: string
  found_on?: string
  corrected_on?: string
  record_ref?: string
}


function std(standard?: string): Record<string, string> {
  return standard ? { standard } : {}
}

/** The latest run of a standard (the active one by default) with its ledger; 404 before the first run. */
export async function getScore(standard?: string): Promise<RunResponse> {
  const res = await http.get<RunResponse>('/readiness/score', { params: std(standard) })
  return res.data
}

/** Run history, newest first. */
export async function listRuns(query: { page?: number; size?: number; standard?: string } = {}): Promise<Page<RunSummary>> {
  const params: Record<string, string | number> = { page: query.page ?? 1, size: query.size ?? 50 }
  if (query.standard) params.standard = query.standard
  const res = await http.get<Page<RunSummary>>('/readiness/runs', { params })
  return { ...res.data, items: res.data.items ?? [] }
}

/**
 * Start a run (202 at once); while a run is in progress, on any server,
 * the answer is that run (joined). Follow it with readiness.progress
 * events or getRunState.
 */
export async function startRun(standard?: string): Promise<RunStateResponse> {
  const res = await http.post<RunStateResponse>('/readiness/runs', standard ? { standard } : {})
  return res.data
}

/** The readiness rollups' background build (GET /readiness/rollups). */
export interface RollupStatus {
  /** building, done, error, or '' when never built. */
  status: string
  days_done: number
  days_total: number
  error?: string
  started_at: string | null
  finished_at: string | null
}

/** getRollups reads the build state of the rollups: days built of total while building. */
export async function getRollups(): Promise<RollupStatus> {
  const res = await http.get<RollupStatus>('/readiness/rollups')
  return res.data
}

/** A run: with its score and ledger once done, else its status and progress. */
export async function getRunState(id: number): Promise<RunResponse | RunStateResponse> {
  const res = await http.get<RunResponse | RunStateResponse>(`/readiness/runs/${id}`)
  return res.data
}

/** isDone tells a finished run (with score and ledger) from one in progress. */
export function isDone(r: RunResponse | RunStateResponse): r is RunResponse {
  return r.run.status === 'done' && 'score' in r
}

/** A finished run with its score and ledger. */
export async function getRun(id: number): Promise<RunResponse> {
  const res = await http.get<RunResponse>(`/readiness/runs/${id}`)
  return res.data
}

/** What moved per indicator from run `from` to run `to`, and why. */
export async function diffRuns(from: number, to: number): Promise<RunDiff> {
  const res = await http.get<RunDiff>(`/readiness/runs/${from}/diff/${to}`)
  return { ...res.data, changes: res.data.changes ?? [] }
}

export async function getGaps(standard?: string): Promise<GapsResponse> {
  const res = await http.get<GapsResponse>('/readiness/gaps', { params: std(standard) })
  return { ...res.data, gaps: res.data.gaps ?? [] }
}

/** The smallest set of fixes to the next band (or `band`). */
export async function getCheapestPath(band?: string, standard?: string): Promise<CheapestPath> {
  const params: Record<string, string> = std(standard)
  if (band) params.band = band
  const res = await http.get<CheapestPath>('/readiness/cheapest-path', { params })
  return { ...res.data, fixes: res.data.fixes ?? [] }
}

/** Score hypothetical inputs; nothing is stored. */
export async function whatIf(req: WhatIfRequest): Promise<WhatIfResponse> {
  const res = await http.post<WhatIfResponse>('/readiness/what-if', req)
  return { ...res.data, changes: res.data.changes ?? [] }
}

/** Projected score at a date (YYYY-MM-DD), default the next planned audit. */
export async function getProjection(at?: string, standard?: string): Promise<ProjectionResponse> {
  const params: Record<string, string> = std(standard)
  if (at) params.at = at
  const res = await http.get<ProjectionResponse>('/readiness/projection', { params })
  return { ...res.data, events: res.data.events ?? [], changes: res.data.changes ?? [] }
}

export async function getPlausibility(): Promise<PlausibilityReport> {
  const res = await http.get<PlausibilityReport>('/readiness/plausibility')
  return { ...res.data, checks: res.data.checks ?? [] }
}

export async function listStandards(): Promise<StandardsList> {
  const res = await http.get<StandardsList>('/readiness/standards')
  return { items: res.data.items ?? [], problems: res.data.problems ?? [] }
}

/** A stored version (latest when version is omitted) with its YAML and tree. */
export async function getStandard(code: string, version?: number): Promise<StandardDetail> {
  const params: Record<string, number> = {}
  if (version) params.version = version
  const res = await http.get<StandardDetail>(`/readiness/standards/${encodeURIComponent(code)}`, { params })
  return res.data
}

/** Store a standard file as a new version; 422 standard_invalid names the clause. */
export async function putStandard(code: string, yaml: string, justification = ''): Promise<PutStandardResponse> {
  const res = await http.put<PutStandardResponse>(`/readiness/standards/${encodeURIComponent(code)}`, yaml, {
    params: justification ? { justification } : {},
    headers: { 'Content-Type': 'application/yaml' },
    // Send the text as is (axios would otherwise try to serialise it).
    transformRequest: [(data: unknown) => data],
  })
  return res.data
}

/** Special-deduction findings (confirmed and suggested). */
export async function listDeductions(status?: 'suggested' | 'confirmed' | 'dismissed'): Promise<Page<DeductionRecord>> {
  const res = await http.get<Page<DeductionRecord>>('/readiness/deductions', { params: status ? { status } : {} })
  return { ...res.data, items: res.data.items ?? [] }
}

/** Record a confirmed special-deduction finding. */
export async function createDeduction(input: DeductionInput): Promise<DeductionRecord> {
  const res = await http.post<DeductionRecord>('/readiness/deductions', input)
  return res.data
}

/** readiness.IndicatorCalibration: one indicator of one recorded audit. */
export interface IndicatorCalibration {
  clause: string
  name: Text
  max: number
  auditor: number
  projected: number
  /** auditor − projected: positive when the engine was too harsh. */
  difference: number
  state: IndicatorState
  scoring?: ScoringMode
  inferred: boolean
}

/** readiness.AuditCalibration: a recorded audit against the projection for its date. */
export interface AuditCalibration {
  audit_id: number
  kind: string
  held_on: string
  lead_auditor?: string
  auditor_score: number | null
  auditor_band: string
  projected_score: number
  projected_low: number
  projected_high: number
  projected_band: string
  recorded_projection?: number | null
  mean_absolute_error: number
  indicators: IndicatorCalibration[]
  most_wrong: IndicatorCalibration[]
}

/** readiness.CalibrationReport. */
export interface CalibrationReport {
  standard: string
  audits: AuditCalibration[]
  audits_without_points: number
  mean_absolute_error: number
  compared: number
}

/** Recorded audits against the projection for their dates. */
export async function getCalibration(): Promise<CalibrationReport> {
  const res = await http.get<CalibrationReport>('/readiness/calibration')
  return { ...res.data, audits: res.data.audits ?? [] }
}

/** The result of a scoring-sheet import. */
export interface SheetImportResponse {
  version: StandardVersion
  created: boolean
  rows: number
  inferred: number
  leaves: number
}

/** One row's problem in a refused scoring sheet (422 sheet_invalid, details.rows). */
export interface SheetRowError {
  row: number
  clause?: string
  column?: string
  message: string
}

/** Import the certification body's scoring sheet (.xlsx) as a new version. */
export async function importStandardSheet(file: File, justification: string, standard = ''): Promise<SheetImportResponse> {
  const form = new FormData()
  form.append('file', file)
  if (justification) form.append('justification', justification)
  if (standard) form.append('standard', standard)
  const res = await http.post<SheetImportResponse>('/readiness/standards/import', form)
  return res.data
}

/** The download link of a standard's latest version as a scoring sheet (.xlsx). */
export function standardSheetUrl(code: string): string {
  return withLang(`/api/v1/readiness/standards/${encodeURIComponent(code)}/export`)
}
