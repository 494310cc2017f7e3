import { describe, expect, it } from 'vitest'
import { DEFAULT_TIME_ZONE, formatDateTime, isValidTimeZone, offsetMinutes, toRfc3339, wallTimeToUtc } from '@/utils/time'

describe('formatDateTime', () => {
  it('shows UTC API times in Asia/Shanghai by default', () => {
    expect(DEFAULT_TIME_ZONE).toBe('Asia/Shanghai')
    expect(formatDateTime('2024-05-01T16:30:05Z')).toBe('2024-05-02 00:30:05')
  })

  it('uses the zone it is given', () => {
    expect(formatDateTime('2024-05-01T16:30:05Z', 'UTC')).toBe('2024-05-01 16:30:05')
    // New York is UTC-4 in summer and UTC-5 in winter.
    expect(formatDateTime('2024-07-01T12:00:00Z', 'America/New_York')).toBe('2024-07-01 08:00:00')
    expect(formatDateTime('2024-01-01T12:00:00Z', 'America/New_York')).toBe('2024-01-01 07:00:00')
  })

  it('accepts offsets, numbers and Dates', () => {
    expect(formatDateTime('2024-05-01T08:00:00+08:00', 'UTC')).toBe('2024-05-01 00:00:00')
    expect(formatDateTime(Date.UTC(2024, 0, 1), 'UTC')).toBe('2024-01-01 00:00:00')
    expect(formatDateTime(new Date(Date.UTC(2024, 0, 1)), 'Asia/Shanghai')).toBe('2024-01-01 08:00:00')
  })

  it('has minute and date styles', () => {
    expect(formatDateTime('2024-05-01T16:30:05Z', 'Asia/Shanghai', 'minute')).toBe('2024-05-02 00:30')
    expect(formatDateTime('2024-05-01T16:30:05Z', 'Asia/Shanghai', 'date')).toBe('2024-05-02')
  })

  it('shows midnight as 00, not 24', () => {
    expect(formatDateTime('2024-05-01T16:00:00Z', 'Asia/Shanghai')).toBe('2024-05-02 00:00:00')
  })

  it('shows a dash for empty or bad input and falls back on unknown zones', () => {
    expect(formatDateTime(null)).toBe('—')
    expect(formatDateTime(undefined)).toBe('—')
    expect(formatDateTime('')).toBe('—')
    expect(formatDateTime('not a date')).toBe('—')
    expect(formatDateTime(null, 'UTC', 'datetime', '')).toBe('')
    expect(formatDateTime('2024-05-01T00:00:00Z', 'Mars/Olympus')).toBe('2024-05-01 08:00:00')
  })
})

describe('zones and wall-clock input', () => {
  it('knows valid zones', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true)
    expect(isValidTimeZone('Nowhere/Land')).toBe(false)
    expect(isValidTimeZone('')).toBe(false)
    expect(isValidTimeZone(null)).toBe(false)
  })

  it('computes offsets', () => {
    expect(offsetMinutes(Date.UTC(2024, 4, 1), 'Asia/Shanghai')).toBe(480)
    expect(offsetMinutes(Date.UTC(2024, 6, 1), 'America/New_York')).toBe(-240)
  })

  it('turns a picked wall-clock time in the user zone into UTC RFC3339', () => {
    expect(wallTimeToUtc('2024-05-01 08:00:00', 'Asia/Shanghai')).toBe('2024-05-01T00:00:00Z')
    expect(wallTimeToUtc('2024-05-01 00:30', 'Asia/Shanghai')).toBe('2024-04-30T16:30:00Z')
    expect(wallTimeToUtc('2024-05-01', 'UTC')).toBe('2024-05-01T00:00:00Z')
    expect(wallTimeToUtc('2024-07-01 08:00:00', 'America/New_York')).toBe('2024-07-01T12:00:00Z')
    expect(wallTimeToUtc('2024-01-01T07:00:00', 'America/New_York')).toBe('2024-01-01T12:00:00Z')
  })

  it('round-trips with formatDateTime', () => {
    for (const tz of ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'UTC']) {
      const wall = '2024-03-15 13:45:10'
      expect(formatDateTime(wallTimeToUtc(wall, tz), tz)).toBe(wall)
    }
  })

  it('rejects malformed input', () => {
    expect(() => wallTimeToUtc('yesterday')).toThrow(RangeError)
  })

  it('formats RFC3339 without milliseconds', () => {
    expect(toRfc3339(Date.UTC(2024, 0, 2, 3, 4, 5, 678))).toBe('2024-01-02T03:04:05Z')
  })
})
