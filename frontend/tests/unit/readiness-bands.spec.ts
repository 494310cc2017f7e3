import { describe, expect, it } from 'vitest'
import {
  DEFAULT_BANDS,
  bandName,
  bandTone,
  formatPercent,
  formatPoints,
  formatScore,
  gaugeSegments,
  scoreDisplay,
  tx,
  type ScoreHead,
} from '@/views/readiness/bands'

const head = (over: Partial<ScoreHead>): ScoreHead => ({
  run_id: 1, standard: 'gbt27922-2011', standard_version: 1, total: 0, low: 0, high: 0, band: 'fail', low_band: 'fail',
  high_band: 'fail', next_band: 'pass', to_next_band: 0, above_band: 0, complete: true, failed: false, as_of: '', ...over,
})

describe('score display', () => {
  it('shows the band, the points to the next band and the margin above the current line', () => {
    const v = scoreDisplay(head({ total: 84.567, band: 'three_star', next_band: 'four_star', to_next_band: 5.433, above_band: 4.567 }), DEFAULT_BANDS, 'zh-CN')
    expect(v.score).toBe('84.57')
    expect(v.band).toBe('三星')
    expect(v.nextBand).toBe('四星')
    expect(v.toNext).toBe('5.43')
    expect(v.above).toBe('4.57')
    expect(v.marginLow).toBe(false)
    expect(v.tone).toBe('success')
    expect(v.range).toBeNull()
  })

  it('flags a margin under one point and names bands in English', () => {
    const v = scoreDisplay(head({ total: 70.4, band: 'pass', next_band: 'three_star', to_next_band: 9.6, above_band: 0.4 }), DEFAULT_BANDS, 'en')
    expect(v.band).toBe('Compliant')
    expect(v.nextBand).toBe('Three stars')
    expect(v.marginLow).toBe(true)
    expect(v.tone).toBe('warning')
  })

  it('a failed score is red, has no low-margin flag, and names the fail outcome', () => {
    const v = scoreDisplay(head({ total: 69.99, band: 'fail', failed: true, next_band: 'pass', to_next_band: 0.01, above_band: -0.01 }), DEFAULT_BANDS, 'zh-CN')
    expect(v.band).toBe('不达标')
    expect(v.tone).toBe('danger')
    expect(v.marginLow).toBe(false)
    expect(v.toNext).toBe('0.01')
  })

  it('at the top band there is no next band', () => {
    const v = scoreDisplay(head({ total: 97, band: 'five_star', next_band: '', above_band: 2 }), DEFAULT_BANDS, 'zh-CN')
    expect(v.nextBand).toBe('')
    expect(v.toNext).toBe('')
    expect(v.tone).toBe('primary')
  })

  it('shows the range low…high while data is unknown', () => {
    const v = scoreDisplay(head({ total: 26.877, low: 26.877, high: 49.877, complete: false, band: 'fail', failed: true }), DEFAULT_BANDS, 'zh-CN')
    expect(v.range).toEqual({ low: '26.88', high: '49.88', lowBand: '不达标', highBand: '不达标' })
    // Issue 13 defect 7: an incomplete result names the range, not the low end.
    expect(v.band).toBe('不达标')
    expect(v.failed).toBe(false)
    expect(v.tone).toBe('info')
    const wide = scoreDisplay(head({ total: 75, low: 75, high: 85, complete: false, band: 'pass', low_band: 'pass', high_band: 'three_star' }), DEFAULT_BANDS, 'zh-CN')
    expect(wide.band).toBe('达标 … 三星')
    expect(wide.certain).toBe(false)
    const same = scoreDisplay(head({ total: 80, low: 80, high: 80, complete: false }), DEFAULT_BANDS, 'zh-CN')
    expect(same.range).toBeNull()
  })

  it('uses the standard\'s own bands when given', () => {
    const bands = [{ code: 'ok', min: 60, name: { zh: '合格', en: 'OK' } }]
    expect(bandName('ok', bands, 'zh-CN')).toBe('合格')
    expect(bandName('unknown_code', bands, 'en')).toBe('unknown_code')
    expect(bandTone('ok', bands)).toBe('warning')
  })
})

describe('gauge segments', () => {
  it('colours 0–70 fail, then one stop per band up to 100', () => {
    const segs = gaugeSegments(DEFAULT_BANDS)
    expect(segs.map((s) => s[0])).toEqual([0.7, 0.8, 0.9, 0.95, 1])
    expect(new Set(segs.map((s) => s[1])).size).toBe(5)
  })

  it('sorts unsorted bands and ignores a band at 100', () => {
    const segs = gaugeSegments([
      { code: 'b', min: 90, name: { zh: '', en: '' } },
      { code: 'a', min: 50, name: { zh: '', en: '' } },
      { code: 'c', min: 100, name: { zh: '', en: '' } },
    ])
    expect(segs.map((s) => s[0])).toEqual([0.5, 0.9, 1])
  })
})

describe('formatting', () => {
  it('rounds for display only', () => {
    expect(formatScore(69.995)).toBe('70.00')
    expect(formatScore(NaN)).toBe('—')
    expect(formatScore(null)).toBe('—')
    expect(formatPoints(2.5)).toBe('2.5')
    expect(formatPoints(3)).toBe('3')
    expect(formatPercent(0.975)).toBe('97.5%')
    expect(formatPercent(null)).toBe('—')
    expect(tx({ zh: '中', en: '' }, 'en')).toBe('中')
    expect(tx(null, 'en')).toBe('')
  })
})
