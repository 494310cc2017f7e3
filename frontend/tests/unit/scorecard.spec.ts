import { describe, expect, it } from 'vitest'
import { addDays, humanDuration, minutes, monthWindows, percent } from '@/utils/scorecard'

describe('scorecard periods', () => {
  it('gives the last months, oldest first, the current one up to today', () => {
    expect(monthWindows('2024-03-15', 3)).toEqual([
      { label: '2024-01', from: '2024-01-01', to: '2024-02-01' },
      { label: '2024-02', from: '2024-02-01', to: '2024-03-01' },
      { label: '2024-03', from: '2024-03-01', to: '2024-03-16' },
    ])
  })
  it('crosses a year and month ends', () => {
    const w = monthWindows('2025-01-31', 2)
    expect(w[0]).toEqual({ label: '2024-12', from: '2024-12-01', to: '2025-01-01' })
    expect(w[1]).toEqual({ label: '2025-01', from: '2025-01-01', to: '2025-02-01' })
  })
  it('shifts dates', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29')
    expect(addDays('2024-03-01', -30)).toBe('2024-01-31')
  })
})

describe('scorecard figures', () => {
  it('shows rates as percentages', () => {
    expect(percent(0.8765)).toBe(87.7)
    expect(percent(1)).toBe(100)
    expect(percent(null)).toBeNull()
  })
  it('shows seconds as minutes', () => {
    expect(minutes(90)).toBe(1.5)
    expect(minutes(null)).toBeNull()
  })
  it('words durations with the two largest units', () => {
    const u = { d: '天', h: '小时', m: '分', s: '秒' }
    expect(humanDuration(95, u)).toBe('1分 35秒')
    expect(humanDuration(3725, u)).toBe('1小时 2分')
    expect(humanDuration(90_000, u)).toBe('1天 1小时')
    expect(humanDuration(0, u)).toBe('0秒')
    expect(humanDuration(null, u)).toBe('—')
  })
})
