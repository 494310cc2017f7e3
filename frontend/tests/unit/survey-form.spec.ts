import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/errors'
import { answerErrors, collectAnswers, missingRequired, scale } from '@/utils/surveyForm'

const questions = [
  { code: 'overall', type: 'csat', required: true },
  { code: 'nps', type: 'nps', required: true, min: 0, max: 10 },
  { code: 'fixed', type: 'yes_no', required: false },
  { code: 'words', type: 'text', required: false },
]

describe('survey answers', () => {
  it('sends only what was answered: no default ratings, blank text dropped', () => {
    const got = collectAnswers(questions, { overall: 4, nps: 0, fixed: false, words: '   ' })
    expect(got).toEqual({ overall: 4, nps: 0, fixed: false })
    expect(collectAnswers(questions, { overall: undefined, nps: null })).toEqual({})
    expect(collectAnswers(questions, { words: '  很好 ' })).toEqual({ words: '很好' })
  })

  it('lists unanswered required questions (0 is an answer)', () => {
    expect(missingRequired(questions, { nps: 0 })).toEqual(['overall'])
    expect(missingRequired(questions, { overall: 5, nps: 10 })).toEqual([])
  })

  it('maps the server answer errors onto the questions', () => {
    const err = new ApiError({
      status: 422,
      code: 'validation_failed',
      fields: { 'answers.overall': 'must be a whole number from 1 to 5', 'answers.nps': 'required', note: 'too long' },
    })
    expect(answerErrors(err)).toEqual({ overall: 'must be a whole number from 1 to 5', nps: 'required', note: 'too long' })
    expect(answerErrors(new Error('x'))).toEqual({})
  })

  it('knows the scales', () => {
    expect(scale({ code: 'a', type: 'csat', required: true })).toEqual([1, 5])
    expect(scale({ code: 'a', type: 'nps', required: true })).toEqual([0, 10])
    expect(scale({ code: 'a', type: 'csat', required: true, min: 1, max: 3 })).toEqual([1, 3])
    expect(scale({ code: 'a', type: 'text', required: true })).toBeNull()
  })
})
