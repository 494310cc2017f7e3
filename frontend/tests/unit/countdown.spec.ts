import { describe, expect, it } from 'vitest'
import { clockOffset, formatClock, secondsLeft, urgency, windowSeconds } from '@/utils/countdown'

const T0 = Date.parse('2024-05-01T02:00:00Z')

describe('clockOffset', () => {
  it('is how far the server is ahead of the client', () => {
    expect(clockOffset('2024-05-01T02:01:00Z', T0)).toBe(60_000)
    expect(clockOffset('2024-05-01T01:59:30Z', T0)).toBe(-30_000)
  })
  it('trusts the client when the server time is missing or garbage', () => {
    expect(clockOffset(null, T0)).toBe(0)
    expect(clockOffset('', T0)).toBe(0)
    expect(clockOffset('not a time', T0)).toBe(0)
  })
})

describe('secondsLeft', () => {
  it('counts whole seconds to the deadline, rounding towards it', () => {
    expect(secondsLeft('2024-05-01T02:30:00Z', T0)).toBe(1800)
    expect(secondsLeft('2024-05-01T02:00:00.500Z', T0)).toBe(1) // half a second left still shows 0:01
    expect(secondsLeft('2024-05-01T02:00:00Z', T0)).toBe(0)
  })
  it('goes negative after the deadline', () => {
    expect(secondsLeft('2024-05-01T01:59:59.500Z', T0)).toBe(0)
    expect(secondsLeft('2024-05-01T01:59:00Z', T0)).toBe(-60)
  })
  it('uses the server clock through the offset', () => {
    // The server is a minute ahead: 30 minutes on the client's clock are 29 on the server's.
    expect(secondsLeft('2024-05-01T02:30:00Z', T0, 60_000)).toBe(1740)
  })
  it('is null without a usable deadline', () => {
    expect(secondsLeft(null, T0)).toBeNull()
    expect(secondsLeft('tomorrow', T0)).toBeNull()
  })
})

describe('formatClock', () => {
  it.each([
    [0, '0:00'],
    [5, '0:05'],
    [65, '1:05'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [90_061, '1d 1:01:01'],
    [-30, '-0:30'],
    [-3725, '-1:02:05'],
  ])('%i s → %s', (s, text) => {
    expect(formatClock(s)).toBe(text)
  })
})

describe('urgency', () => {
  it('is expired at zero or less', () => {
    expect(urgency(0, 3600)).toBe('expired')
    expect(urgency(-5)).toBe('expired')
  })
  it('grades by share of a 2-hour window', () => {
    expect(urgency(7000, 7200)).toBe('ok')
    expect(urgency(3600, 7200)).toBe('warn') // half left
    expect(urgency(1440, 7200)).toBe('danger') // 20 % left
  })
  it('uses absolute thresholds for short or unknown windows', () => {
    expect(urgency(1000)).toBe('ok')
    expect(urgency(900)).toBe('warn')
    expect(urgency(300)).toBe('danger')
    expect(urgency(290, 310)).toBe('danger')
  })
  it('is ok when nothing is known', () => {
    expect(urgency(null)).toBe('ok')
  })
})

describe('windowSeconds', () => {
  it('is the offer window', () => {
    expect(windowSeconds('2024-05-01T02:00:00Z', '2024-05-01T02:30:00Z')).toBe(1800)
  })
  it('is null when it cannot be known', () => {
    expect(windowSeconds(null, '2024-05-01T02:30:00Z')).toBeNull()
    expect(windowSeconds('2024-05-01T02:30:00Z', '2024-05-01T02:00:00Z')).toBeNull()
    expect(windowSeconds('x', 'y')).toBeNull()
  })
})
