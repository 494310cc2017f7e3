// Survey answers as forms hold them, and the server's answer errors mapped
// back onto the questions (the API names them "answers.<code>").
import { ApiError } from '@/api/errors'

export type AnswerValue = number | boolean | string

export interface QuestionLike {
  code: string
  type: 'csat' | 'nps' | 'yes_no' | 'text' | string
  required: boolean
  min?: number
  max?: number
}

/**
 * answerErrors maps a 422's fields to question codes: "answers.q1" → q1;
 * "answers" (the whole set) and anything else keep their names.
 */
export function answerErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(err.fields)) {
    const m = /^answers\.(.+)$/.exec(k)
    out[m ? m[1]! : k] = v
  }
  return out
}

/**
 * collectAnswers keeps the answered questions only (an empty text or an
 * unset rating is "not answered": no default rating is ever sent), with
 * text trimmed.
 */
export function collectAnswers(questions: QuestionLike[], values: Record<string, AnswerValue | null | undefined>): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = {}
  for (const q of questions) {
    const v = values[q.code]
    if (v === null || v === undefined) continue
    if (typeof v === 'string') {
      const t = v.trim()
      if (t) out[q.code] = t
      continue
    }
    out[q.code] = v
  }
  return out
}

/** missingRequired lists the required questions without an answer. */
export function missingRequired(questions: QuestionLike[], answers: Record<string, AnswerValue>): string[] {
  return questions.filter((q) => q.required && !(q.code in answers)).map((q) => q.code)
}

/** scale returns the rating range of a question (csat 1–5, nps 0–10), or null. */
export function scale(q: QuestionLike): [number, number] | null {
  if (q.min !== undefined && q.max !== undefined) return [q.min, q.max]
  if (q.type === 'csat') return [1, 5]
  if (q.type === 'nps') return [0, 10]
  return null
}
