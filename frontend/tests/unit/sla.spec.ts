import { describe, expect, it } from 'vitest'
import type { SlaClock } from '@/api/tickets'
import { clockSla, formatCountdown, fractionUsed, levelTagType, rowSla, secondsUntil } from '@/utils/sla'

const T0 = Date.parse('2026-11-26T08:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()
const min = 60_000

describe('rowSla: a list row from its next deadline', () => {
  // A ticket created at T0 with the next deadline 100 minutes later.
  const created = iso(T0)
  const due = iso(T0 + 100 * min)
  it.each([
    ['just created', T0, 'ok', 6000],
    ['half the time used', T0 + 50 * min, 'ok', 3000],
    ['79 % used', T0 + 79 * min, 'ok', 1260],
    ['80 % used turns amber', T0 + 80 * min, 'warn', 1200],
    ['one second left', T0 + 100 * min - 1000, 'warn', 1],
    ['a part of a second left still counts as 1 s', T0 + 100 * min - 200, 'warn', 1],
    ['at the due instant it is breached', T0 + 100 * min, 'breached', 0],
    ['past the deadline counts up', T0 + 130 * min, 'breached', -1800],
  ])('%s', (_name, now, level, seconds) => {
    const v = rowSla(due, created, now)
    expect(v.level).toBe(level)
    expect(v.seconds).toBe(seconds)
  })

  it('has no level without a deadline (resolved or closed tickets)', () => {
    expect(rowSla(null, created, T0)).toEqual({ level: 'none', seconds: null, fraction: null })
    expect(rowSla('not a date', created, T0).level).toBe('none')
  })

  it('without a start it is amber only by the deadline passing', () => {
    expect(rowSla(due, null, T0 + 99 * min).level).toBe('ok')
    expect(rowSla(due, null, T0 + 101 * min).level).toBe('breached')
  })

  it('honours another warning fraction', () => {
    expect(rowSla(due, created, T0 + 60 * min, 0.5).level).toBe('warn')
  })
})

function clock(over: Partial<SlaClock>): SlaClock {
  return {
    target: 'resolution',
    state: 'running',
    segment: 1,
    duration_seconds: 6000,
    started_at: iso(T0),
    due_at: iso(T0 + 100 * min),
    warn_from: iso(T0 + 80 * min),
    elapsed_seconds: 0,
    remaining_seconds: 6000,
    paused_seconds: 0,
    breached: false,
    open: true,
    fraction_used: 0,
    ...over,
  }
}

describe('clockSla: one clock of the ticket detail', () => {
  it('uses the server warning instant, not a wall-clock fraction', () => {
    // A business calendar: the warning comes at 95 minutes of wall time.
    const c = clock({ warn_from: iso(T0 + 95 * min) })
    expect(clockSla(c, T0 + 90 * min).level).toBe('ok')
    expect(clockSla(c, T0 + 95 * min).level).toBe('warn')
  })

  it('is red once the server says breached, even before the local due instant', () => {
    expect(clockSla(clock({ breached: true }), T0).level).toBe('breached')
  })

  it('does not tick while paused and shows the working time left', () => {
    const v = clockSla(clock({ state: 'paused', due_at: null, remaining_seconds: 1800 }), T0 + 500 * min)
    expect(v).toMatchObject({ level: 'paused', seconds: 1800 })
  })

  it('is done when met in time, red when met late', () => {
    expect(clockSla(clock({ state: 'met', open: false, met_at: iso(T0) }), T0).level).toBe('done')
    expect(clockSla(clock({ state: 'breached', open: false, breached: true }), T0).level).toBe('breached')
  })

  it('is none before it starts', () => {
    expect(clockSla(clock({ state: 'not_started', open: false, started_at: null, due_at: null }), T0).level).toBe('none')
  })

  it('falls back to 80 % of started → due without warn_from', () => {
    const c = clock({ warn_from: null })
    expect(clockSla(c, T0 + 79 * min).level).toBe('ok')
    expect(clockSla(c, T0 + 81 * min).level).toBe('warn')
  })
})

describe('formatting', () => {
  it.each([
    [null, '—'],
    [0, '0:00'],
    [59, '0:59'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [90061, '1d 1:01:01'],
    [-42, '+0:42'],
    [-3725, '+1:02:05'],
  ])('formatCountdown(%s) = %s', (s, out) => {
    expect(formatCountdown(s as number | null)).toBe(out)
  })

  it('fractionUsed and secondsUntil', () => {
    expect(fractionUsed(0, 100, 80)).toBeCloseTo(0.8)
    expect(fractionUsed(0, 100, -5)).toBe(0)
    expect(fractionUsed(100, 100, 50)).toBeNull()
    expect(secondsUntil(10_000, 0)).toBe(10)
    expect(secondsUntil(0, 1_500)).toBe(-1)
  })

  it('colours by level', () => {
    expect(levelTagType('ok')).toBe('success')
    expect(levelTagType('warn')).toBe('warning')
    expect(levelTagType('breached')).toBe('danger')
    expect(levelTagType('none')).toBe('info')
  })
})
