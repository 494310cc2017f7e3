import { describe, expect, it } from 'vitest'
import {
  addDate,
  emptyDraft,
  fromCalendar,
  isDate,
  makeupNotes,
  parseClock,
  parseInterval,
  serverFieldKey,
  toCalendarData,
  validateCalendar,
  validateDay,
  weekdayOf,
  type CalendarDraft,
} from '@/utils/calendarEdit'
import type { Calendar } from '@/api/sla'

function draft(patch: Partial<CalendarDraft> = {}): CalendarDraft {
  return { ...emptyDraft(), code: 'cn-office', name: '办公时间', ...patch }
}

describe('clock and interval parsing', () => {
  it('reads HH:MM up to 24:00', () => {
    expect(parseClock('08:30')).toBe(510)
    expect(parseClock('8:30')).toBe(510)
    expect(parseClock('24:00')).toBe(1440)
    expect(parseClock('24:01')).toBeNull()
    expect(parseClock('12:60')).toBeNull()
    expect(parseClock('0830')).toBeNull()
    expect(parseClock('')).toBeNull()
  })
  it('reads intervals, with an en dash too', () => {
    expect(parseInterval('08:30-12:00')).toEqual({ start: '08:30', end: '12:00' })
    expect(parseInterval('13:30–18:00')).toEqual({ start: '13:30', end: '18:00' })
    expect(parseInterval('08:30')).toBeNull()
    expect(parseInterval('08:30-12:00-13:00')).toBeNull()
  })
})

describe('validateDay', () => {
  it('accepts a split shift and touching intervals', () => {
    expect(validateDay([{ start: '08:30', end: '12:00' }, { start: '13:30', end: '18:00' }]).size).toBe(0)
    expect(validateDay([{ start: '08:00', end: '12:00' }, { start: '12:00', end: '13:00' }]).size).toBe(0)
  })
  it('flags bad format and an end before the start', () => {
    const p = validateDay([{ start: '8h', end: '12:00' }, { start: '18:00', end: '13:30' }, { start: '09:00', end: '09:00' }])
    expect(p.get(0)?.key).toBe('format')
    expect(p.get(1)?.key).toBe('endBeforeStart')
    expect(p.get(2)?.key).toBe('endBeforeStart')
  })
  it('reports an overlap on the later-starting row, whatever the order typed', () => {
    const p = validateDay([{ start: '13:00', end: '18:00' }, { start: '08:30', end: '13:30' }])
    expect(p.size).toBe(1)
    expect(p.get(0)).toEqual({ key: 'overlap', values: { interval: '13:00-18:00', other: '08:30-13:30' } })
  })
})

describe('validateCalendar', () => {
  it('accepts the default Monday–Friday split shift', () => {
    expect(validateCalendar(draft())).toEqual({})
  })
  it('checks code and name of a new calendar', () => {
    const p = validateCalendar(draft({ code: 'Bad Code', name: ' ' }))
    expect(p.code?.key).toBe('code')
    expect(p.name?.key).toBe('name')
    // The code cannot change on an existing calendar, so it is not checked.
    expect(validateCalendar(draft({ code: 'Legacy' }), { isNew: false }).code).toBeUndefined()
  })
  it('needs working hours on some weekday', () => {
    const d = draft()
    for (const wd of Object.keys(d.weekly) as (keyof typeof d.weekly)[]) d.weekly[wd] = []
    expect(validateCalendar(d).weekly?.key).toBe('noHours')
  })
  it('names the faulty interval with the server field name', () => {
    const d = draft()
    d.weekly.tuesday = [{ start: '08:30', end: '12:00' }, { start: '11:00', end: '18:00' }]
    expect(Object.keys(validateCalendar(d))).toEqual(['weekly.tuesday[1]'])
  })
  it('refuses a 调休 day that is also a holiday, and bad dates', () => {
    const p = validateCalendar(draft({ holidays: ['2024-10-01', '2024-02-30'], makeup_workdays: ['2024-10-01', '2024-09-29'] }))
    expect(p['holidays[1]']?.key).toBe('date')
    expect(p['makeup_workdays[0]']?.key).toBe('alsoHoliday')
    expect(p['makeup_workdays[1]']).toBeUndefined()
  })
  it('needs hours on the weekday a make-up day follows', () => {
    expect(validateCalendar(draft({ makeup_workdays: ['2024-09-29'], makeup_as: 'sunday' })).makeup_as?.key).toBe('makeupNoHours')
    expect(validateCalendar(draft({ makeup_workdays: ['2024-09-29'], makeup_as: 'monday' })).makeup_as).toBeUndefined()
    // Without make-up days the choice does not matter.
    expect(validateCalendar(draft({ makeup_as: 'sunday' })).makeup_as).toBeUndefined()
  })
  it('lets a 24x7 calendar have no hours but no dates either', () => {
    const d = draft({ always_open: true })
    for (const wd of Object.keys(d.weekly) as (keyof typeof d.weekly)[]) d.weekly[wd] = []
    expect(validateCalendar(d)).toEqual({})
    expect(validateCalendar({ ...d, holidays: ['2024-10-01'] }).holidays?.key).toBe('alwaysOpenDates')
  })
})

describe('dates', () => {
  it('knows real dates and their weekdays', () => {
    expect(isDate('2024-02-29')).toBe(true)
    expect(isDate('2023-02-29')).toBe(false)
    expect(isDate('2024-1-5')).toBe(false)
    expect(weekdayOf('2024-09-29')).toBe('sunday') // a 调休 working Sunday before National Day
    expect(weekdayOf('2024-10-12')).toBe('saturday')
    expect(weekdayOf('nope')).toBeNull()
  })
  it('adds a date once, in order', () => {
    expect(addDate(['2024-10-03', '2024-10-01'].sort(), '2024-10-02')).toEqual(['2024-10-01', '2024-10-02', '2024-10-03'])
    const same = ['2024-10-01']
    expect(addDate(same, '2024-10-01')).toBe(same)
    expect(addDate(same, '')).toBe(same)
  })
  it('notes make-up days on weekdays that already work', () => {
    expect(makeupNotes(draft({ makeup_workdays: ['2024-09-29', '2024-09-30'] }))).toEqual(['2024-09-30'])
  })
})

describe('conversion', () => {
  const stored: Calendar = {
    id: 3,
    code: 'cn-office',
    name: '办公时间',
    timezone: 'Asia/Shanghai',
    always_open: false,
    weekly: { monday: ['08:30-12:00', '13:30-18:00'], saturday: ['09:00-12:00'] },
    holidays: ['2024-10-02', '2024-10-01'],
    makeup_workdays: ['2024-09-29'],
    makeup_as: 'monday',
    note: '',
    version: 4,
    updated_at: '2024-05-01T00:00:00Z',
  }
  it('round-trips a stored calendar', () => {
    const d = fromCalendar(stored)
    expect(d.weekly.monday).toEqual([{ start: '08:30', end: '12:00' }, { start: '13:30', end: '18:00' }])
    expect(d.weekly.tuesday).toEqual([])
    expect(d.holidays).toEqual(['2024-10-01', '2024-10-02'])
    const back = toCalendarData(d)
    expect(back.weekly).toEqual({ monday: ['08:30-12:00', '13:30-18:00'], saturday: ['09:00-12:00'] })
    expect(back.makeup_workdays).toEqual(['2024-09-29'])
    expect(back.makeup_as).toBe('monday')
  })
  it('pads hours and drops make_up_as without make-up days', () => {
    const d = draft({ makeup_as: 'saturday' })
    d.weekly.monday = [{ start: '8:30', end: '12:00' }]
    const body = toCalendarData(d)
    expect(body.weekly?.monday).toEqual(['08:30-12:00'])
    expect(body.makeup_as).toBe('')
  })
  it('sends nothing but the flag for a 24x7 calendar', () => {
    const body = toCalendarData(draft({ always_open: true, holidays: ['2024-10-01'] }))
    expect(body).toMatchObject({ always_open: true, weekly: {}, holidays: [], makeup_workdays: [] })
  })
  it('maps server field names onto the editor', () => {
    expect(serverFieldKey('weekly[Monday][1]')).toBe('weekly.monday[1]')
    expect(serverFieldKey('weekly.Tuesday[0]')).toBe('weekly.tuesday[0]')
    expect(serverFieldKey('weekly.friday')).toBe('weekly.friday')
    expect(serverFieldKey('holidays[2]')).toBe('holidays[2]')
  })
})
