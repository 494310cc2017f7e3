import { describe, expect, it } from 'vitest'
import { addDays, apiPeriod, buckets, isDay, lastDays } from '@/views/kpi/periods'
import { wallTimeToUtc } from '@/utils/time'

describe('KPI periods', () => {
  it('moves calendar dates across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29')
    expect(lastDays('2026-11-26', 30)).toEqual(['2026-10-28', '2026-11-26'])
    expect(isDay('2026-02-30')).toBe(false)
    expect(isDay('2026-02-28')).toBe(true)
  })

  it('splits a short period into weeks', () => {
    const b = buckets('2026-11-01', '2026-11-30')
    expect(b.map((x) => [x.from, x.to])).toEqual([
      ['2026-11-01', '2026-11-07'],
      ['2026-11-08', '2026-11-14'],
      ['2026-11-15', '2026-11-21'],
      ['2026-11-22', '2026-11-28'],
      ['2026-11-29', '2026-11-30'],
    ])
  })

  it('splits a long period into calendar months, keeping the last twelve', () => {
    const b = buckets('2026-01-15', '2026-04-10')
    expect(b.map((x) => x.label)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04'])
    expect(b[0]).toEqual({ label: '2026-01', from: '2026-01-15', to: '2026-01-31' })
    expect(b[3]).toEqual({ label: '2026-04', from: '2026-04-01', to: '2026-04-10' })
    const long = buckets('2024-11-27', '2026-11-26')
    expect(long).toHaveLength(12)
    expect(long[11]!.label).toBe('2026-11')
    expect(buckets('2026-02-01', '2026-01-01')).toEqual([])
    expect(buckets('bad', '2026-01-01')).toEqual([])
  })

  it('turns inclusive local dates into [from, to) instants in the user\'s zone', () => {
    expect(apiPeriod('2026-11-01', '2026-11-30', (w) => wallTimeToUtc(w, 'Asia/Shanghai'))).toEqual({
      from: '2026-10-31T16:00:00Z',
      to: '2026-11-30T16:00:00Z',
    })
  })
})
