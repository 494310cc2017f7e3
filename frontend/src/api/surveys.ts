// Survey templates (read: survey:read; write: survey:manage). Shapes follow
// backend/internal/httpapi/handlers_survey.go exactly.
import { http } from './http'

/** transactional: after a ticket or work order; relationship: periodic (annual). */
export type SurveyKind = 'transactional' | 'relationship'
export const SURVEY_KINDS: readonly SurveyKind[] = ['transactional', 'relationship']

/** csat 1–5, nps 0–10, yes_no, free text. */
export type QuestionType = 'csat' | 'nps' | 'yes_no' | 'text'
export const QUESTION_TYPES: readonly QuestionType[] = ['csat', 'nps', 'yes_no', 'text']

/** What a rating is about: agent and technician ratings are kept apart from the overall score. */
export type QuestionTarget = 'overall' | 'agent' | 'technician' | 'product' | 'other'
export const QUESTION_TARGETS: readonly QuestionTarget[] = ['overall', 'agent', 'technician', 'product', 'other']

/** A question as stored; min/max come with rating scales. */
export interface SurveyQuestion {
  code: string
  text: string
  type: QuestionType
  target: QuestionTarget
  required: boolean
  min?: number
  max?: number
}

export interface SurveyTemplate {
  id: number
  name: string
  kind: SurveyKind
  intro: string
  active: boolean
  /** Left out of list answers when not loaded. */
  questions?: SurveyQuestion[]
  version: number
  created_at: string
  updated_at: string
}

/** One question of a create/replace body. code: a-z0-9_, starting with a letter, unique in the template. */
export interface SurveyQuestionInput {
  code: string
  text: string
  type: QuestionType
  target: QuestionTarget
  required: boolean
}

/** POST /survey-templates and PUT /survey-templates/{id} (version required on PUT). */
export interface SurveyTemplateInput {
  name: string
  kind: SurveyKind
  intro: string
  active: boolean
  questions: SurveyQuestionInput[]
}

export async function listSurveyTemplates(query: { kind?: SurveyKind | ''; active?: boolean } = {}): Promise<SurveyTemplate[]> {
  const params: Record<string, string> = {}
  if (query.kind) params.kind = query.kind
  if (query.active !== undefined) params.active = String(query.active)
  const res = await http.get<{ items: SurveyTemplate[] | null }>('/survey-templates', { params })
  return res.data.items ?? []
}

export async function getSurveyTemplate(id: number): Promise<SurveyTemplate> {
  const res = await http.get<SurveyTemplate>(`/survey-templates/${id}`)
  return res.data
}

export async function createSurveyTemplate(input: SurveyTemplateInput): Promise<SurveyTemplate> {
  const res = await http.post<SurveyTemplate>('/survey-templates', input)
  return res.data
}

export async function updateSurveyTemplate(id: number, input: SurveyTemplateInput, version: number): Promise<SurveyTemplate> {
  const res = await http.put<SurveyTemplate>(`/survey-templates/${id}`, { ...input, version })
  return res.data
}
