import { describe, expect, it } from 'vitest'
import { emptyWhatIfForm, isEmptyWhatIf, mapWhatIfErrors, toWhatIfRequest, type WhatIfForm } from '@/views/readiness/whatIf'

const form = (over: Partial<WhatIfForm>): WhatIfForm => ({ ...emptyWhatIfForm(), ...over })

describe('what-if form mapping', () => {
  it('an empty form changes nothing', () => {
    const m = toWhatIfRequest(emptyWhatIfForm())
    expect(isEmptyWhatIf(m)).toBe(true)
    expect(m.request).toEqual({ changes: [], texts: [] })
  })

  it('+N certified managers is a relative change', () => {
    const m = toWhatIfRequest(form({ certifiedManagers: 3, managementHeadcount: -2 }))
    expect(m.request.changes).toEqual([
      { kind: 'certified_managers', amount: 3, relative: true },
      { kind: 'management_headcount', amount: -2, relative: true },
    ])
    expect(m.changeSources).toEqual(['certifiedManagers', 'managementHeadcount'])
  })

  it('a measure rate in percent becomes a rate 0–1; incomplete rows are left out', () => {
    const m = toWhatIfRequest(
      form({
        measures: [
          { measure: 'complaint_ack_within_limit', percent: 98 },
          { measure: '', percent: 50 },
          { measure: 'followup_within_3d', percent: null },
          { measure: 'repair_first_time_fix', percent: 87.5 },
        ],
      }),
    )
    expect(m.request.changes).toEqual([
      { kind: 'measure_value', measure: 'complaint_ack_within_limit', value: 0.98 },
      { kind: 'measure_value', measure: 'repair_first_time_fix', value: 0.875 },
    ])
    expect(m.changeSources).toEqual(['measures.0', 'measures.3'])
  })

  it('approving a document type is sent in the consultant\'s phrasing; N/A with the justification', () => {
    const m = toWhatIfRequest(form({ documents: ['crisis_plan'], notApplicable: ['5.2.6'], justification: ' 不经营安装 ', texts: ' bonus 获奖 \n\n' }), 'gbt27922-2011')
    expect(m.request.standard).toBe('gbt27922-2011')
    expect(m.request.changes).toEqual([{ kind: 'not_applicable', clause: '5.2.6', justification: '不经营安装' }])
    expect(m.request.texts).toEqual(['document crisis_plan approved effective now', 'bonus 获奖'])
    expect(m.textSources).toEqual(['documents', 'texts'])
  })

  it('zero managers and a zero headcount change are no change', () => {
    expect(isEmptyWhatIf(toWhatIfRequest(form({ certifiedManagers: 0, managementHeadcount: 0 })))).toBe(true)
  })

  it('puts the server\'s field errors back on the row they came from', () => {
    const m = toWhatIfRequest(
      form({ certifiedManagers: 1, measures: [{ measure: 'nope', percent: 50 }], documents: ['x'], texts: 'frobnicate' }),
    )
    expect(mapWhatIfErrors({ changes: 'what-if change 2 (measure_value): unknown measure "nope"' }, m)).toEqual({
      'measures.0': 'what-if change 2 (measure_value): unknown measure "nope"',
    })
    expect(mapWhatIfErrors({ 'texts[1]': 'change "frobnicate": unknown change' }, m)).toEqual({ texts: 'change "frobnicate": unknown change' })
    // Texts count after the structured changes in "what-if change N".
    expect(mapWhatIfErrors({ changes: 'what-if change 3 (add_document): …' }, m)).toEqual({ documents: 'what-if change 3 (add_document): …' })
    expect(mapWhatIfErrors({ changes: 'give at least one change', standard: 'bad' }, m)).toEqual({ _: 'give at least one change; bad' })
  })
})
