// Editing a business calendar: the editor's model (rows of intervals per
// weekday, lists of dates), conversion to and from the API's CalendarData,
// and the same checks the server makes (sla.CalendarData.validate + sla.Calendar.Validate),
// so mistakes show next to the field before saving. The server stays the
// judge: its field errors are mapped back with serverFieldKey.
import { WEEKDAYS, type Calendar, type CalendarData, type Weekday } from '@/api/sla'

export const MINUTES_PER_DAY = 24 * 60

/** One editable working interval: "HH:MM" start and end. */
export interface IntervalRow {
  start: string
  end: string
}

/** The editor's model of a calendar. */
export interface CalendarDraft {
  code: string
  name: string
  timezone: string
  always_open: boolean
  weekly: Record<Weekday, IntervalRow[]>
  holidays: string[]
  makeup_workdays: string[]
  makeup_as: Weekday
  note: string
}

/** A problem: the message key (under adminSla.calendarErrors) and values for it. */
export interface Problem {
  key: string
  values?: Record<string, string>
}

/** Field → problem, with the server's field names (weekly.monday[1], holidays[0], makeup_as, …). */
export type Problems = Record<string, Problem>

/** parseClock reads "H:MM" or "HH:MM" (00:00 – 24:00) into minutes after midnight, or null. */
export function parseClock(v: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(v.trim())
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  if (min > 59 || h * 60 + min > MINUTES_PER_DAY) return null
  return h * 60 + min
}

/** formatClock turns minutes after midnight into "HH:MM". */
export function formatMinutes(n: number): string {
  const h = Math.floor(n / 60)
  const m = n % 60
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`
}

/** parseInterval reads "HH:MM-HH:MM" (an en dash is accepted too) into a row, or null. */
export function parseInterval(v: string): IntervalRow | null {
  const [from, to, extra] = v.replace(/–/g, '-').split('-')
  if (from === undefined || to === undefined || extra !== undefined) return null
  if (parseClock(from) === null || parseClock(to) === null) return null
  return { start: from.trim(), end: to.trim() }
}

/** intervalText formats a row as the API wants it: "HH:MM-HH:MM". */
export function intervalText(r: IntervalRow): string {
  const a = parseClock(r.start)
  const b = parseClock(r.end)
  return `${a === null ? r.start.trim() : formatMinutes(a)}-${b === null ? r.end.trim() : formatMinutes(b)}`
}

/**
 * validateDay checks one weekday's intervals: each must read HH:MM, end
 * after it starts, and not overlap an earlier-starting one (intervals are
 * half-open, so 08:30-12:00 and 12:00-13:00 touch without overlapping).
 * The result maps the row index to its problem.
 */
export function validateDay(rows: IntervalRow[]): Map<number, Problem> {
  const out = new Map<number, Problem>()
  const ok: { i: number; start: number; end: number }[] = []
  rows.forEach((r, i) => {
    const start = parseClock(r.start)
    const end = parseClock(r.end)
    if (start === null || end === null) out.set(i, { key: 'format' })
    else if (start >= end) out.set(i, { key: 'endBeforeStart', values: { interval: intervalText(r) } })
    else ok.push({ i, start, end })
  })
  // Stable sort by start, as the server does, then report each overlap on the later row.
  ok.sort((a, b) => a.start - b.start || a.i - b.i)
  for (let k = 1; k < ok.length; k++) {
    const prev = ok[k - 1]!
    const cur = ok[k]!
    if (cur.start < prev.end) {
      out.set(cur.i, {
        key: 'overlap',
        values: { interval: `${formatMinutes(cur.start)}-${formatMinutes(cur.end)}`, other: `${formatMinutes(prev.start)}-${formatMinutes(prev.end)}` },
      })
    }
  }
  return out
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** isDate reports whether v is a real calendar date "YYYY-MM-DD". */
export function isDate(v: string): boolean {
  const m = DATE.exec(v)
  if (!m) return false
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!))
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!
}

/** weekdayOf names the weekday of a "YYYY-MM-DD" date, or null. */
export function weekdayOf(v: string): Weekday | null {
  if (!isDate(v)) return null
  const [y, m, d] = v.split('-').map(Number) as [number, number, number]
  const js = new Date(Date.UTC(y, m - 1, d)).getUTCDay() // 0 = Sunday
  return WEEKDAYS[(js + 6) % 7]!
}

/** hasHours reports whether a weekday has at least one interval in the draft. */
function hasHours(d: CalendarDraft, wd: Weekday): boolean {
  return d.weekly[wd].length > 0
}

/**
 * validateCalendar checks a draft like the server: code and name, each
 * day's intervals, at least one working weekday, real dates, no date both
 * a holiday and a make-up working day, no date listed twice, and a
 * make-up weekday that has hours. An always-open calendar needs no hours
 * and may list no dates.
 */
export function validateCalendar(d: CalendarDraft, opts: { isNew: boolean } = { isNew: true }): Problems {
  const p: Problems = {}
  if (opts.isNew && !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(d.code)) p.code = { key: 'code' }
  const name = d.name.trim()
  if (!name || [...name].length > 128) p.name = { key: 'name' }
  if (d.note.length > 4000) p.note = { key: 'note' }
  if (d.always_open) {
    if (WEEKDAYS.some((wd) => hasHours(d, wd))) p.weekly = { key: 'alwaysOpenWeekly' }
    if (d.holidays.length) p.holidays = { key: 'alwaysOpenDates' }
    if (d.makeup_workdays.length) p.makeup_workdays = { key: 'alwaysOpenDates' }
    return p
  }
  let working = false
  for (const wd of WEEKDAYS) {
    const rows = d.weekly[wd]
    for (const [i, prob] of validateDay(rows)) p[`weekly.${wd}[${i}]`] = prob
    if (rows.some((_, i) => !p[`weekly.${wd}[${i}]`])) working = true
  }
  if (!working) p.weekly = { key: 'noHours' }
  const holidays = new Set<string>()
  d.holidays.forEach((h, i) => {
    if (!isDate(h)) p[`holidays[${i}]`] = { key: 'date', values: { date: h } }
    else if (holidays.has(h)) p[`holidays[${i}]`] = { key: 'duplicate', values: { date: h } }
    holidays.add(h)
  })
  const makeup = new Set<string>()
  d.makeup_workdays.forEach((m, i) => {
    if (!isDate(m)) p[`makeup_workdays[${i}]`] = { key: 'date', values: { date: m } }
    else if (holidays.has(m)) p[`makeup_workdays[${i}]`] = { key: 'alsoHoliday', values: { date: m } }
    else if (makeup.has(m)) p[`makeup_workdays[${i}]`] = { key: 'duplicate', values: { date: m } }
    makeup.add(m)
  })
  if (d.makeup_workdays.length && !hasHours(d, d.makeup_as)) p.makeup_as = { key: 'makeupNoHours' }
  return p
}

/**
 * makeupNotes lists make-up working days that fall on a weekday which
 * already has hours (a 调休 day is normally a weekend day): not an error,
 * but likely a slip worth showing.
 */
export function makeupNotes(d: CalendarDraft): string[] {
  return d.makeup_workdays.filter((m) => {
    const wd = weekdayOf(m)
    return wd !== null && hasHours(d, wd)
  })
}

/** emptyDraft is a new calendar: Monday to Friday 08:30-12:00 and 13:30-18:00. */
export function emptyDraft(): CalendarDraft {
  const weekly = Object.fromEntries(WEEKDAYS.map((wd) => [wd, [] as IntervalRow[]])) as Record<Weekday, IntervalRow[]>
  for (const wd of WEEKDAYS.slice(0, 5)) {
    weekly[wd] = [
      { start: '08:30', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ]
  }
  return {
    code: '',
    name: '',
    timezone: 'Asia/Shanghai',
    always_open: false,
    weekly,
    holidays: [],
    makeup_workdays: [],
    makeup_as: 'monday',
    note: '',
  }
}

/** fromCalendar turns a stored calendar into a draft (sorted dates, intervals in order). */
export function fromCalendar(c: Calendar | CalendarData): CalendarDraft {
  const d = emptyDraft()
  for (const wd of WEEKDAYS) {
    const raw = c.weekly?.[wd] ?? []
    d.weekly[wd] = raw.map((v) => parseInterval(v) ?? { start: v, end: '' })
  }
  return {
    ...d,
    code: c.code,
    name: c.name,
    timezone: c.timezone || 'Asia/Shanghai',
    always_open: c.always_open,
    holidays: [...(c.holidays ?? [])].sort(),
    makeup_workdays: [...(c.makeup_workdays ?? [])].sort(),
    makeup_as: c.makeup_as || 'monday',
    note: c.note ?? '',
  }
}

/** toCalendarData turns a draft into the API body; an always-open calendar sends no hours or dates. */
export function toCalendarData(d: CalendarDraft): CalendarData {
  if (d.always_open) {
    return { code: d.code.trim(), name: d.name.trim(), timezone: d.timezone, always_open: true, weekly: {}, holidays: [], makeup_workdays: [], makeup_as: '', note: d.note }
  }
  const weekly: Partial<Record<Weekday, string[]>> = {}
  for (const wd of WEEKDAYS) {
    if (d.weekly[wd].length) weekly[wd] = d.weekly[wd].map(intervalText)
  }
  return {
    code: d.code.trim(),
    name: d.name.trim(),
    timezone: d.timezone,
    always_open: false,
    weekly,
    holidays: [...d.holidays],
    makeup_workdays: [...d.makeup_workdays],
    makeup_as: d.makeup_workdays.length ? d.makeup_as : '',
    note: d.note,
  }
}

/**
 * serverFieldKey maps a field name from a server validation error to the
 * editor's: the store says weekly.monday[1], the calculator says
 * weekly[Monday][1]; both become weekly.monday[1].
 */
export function serverFieldKey(field: string): string {
  const m = /^weekly\[([A-Za-z]+)\](\[\d+\])?$/.exec(field)
  if (m) return `weekly.${m[1]!.toLowerCase()}${m[2] ?? ''}`
  const n = /^weekly\.([A-Za-z]+)(\[\d+\])?$/.exec(field)
  if (n) return `weekly.${n[1]!.toLowerCase()}${n[2] ?? ''}`
  return field
}

/** addDate adds a date to a sorted list once; it returns the new list. */
export function addDate(list: string[], date: string): string[] {
  if (!date || list.includes(date)) return list
  return [...list, date].sort()
}
