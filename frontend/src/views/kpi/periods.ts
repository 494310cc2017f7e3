// KPI periods: the filter's calendar dates (inclusive, in the user's zone)
// become API periods [from, to) of UTC instants, and a period is split into
// buckets (weeks or months) so each bucket's KPI can be asked from the
// server for the trend charts. Nothing here computes a KPI.

/** A bucket of days [from, to] (YYYY-MM-DD, both inclusive) with its label. */
export interface Bucket {
  label: string
  from: string
  to: string
}

const pad = (n: number) => String(n).padStart(2, '0')

function parse(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return NaN
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)
}

function fmt(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** addDays shifts a calendar date by n days. */
export function addDays(day: string, n: number): string {
  const ms = parse(day)
  return Number.isNaN(ms) ? day : fmt(ms + n * 86_400_000)
}

/** isDay reports whether s is a valid YYYY-MM-DD date. */
export function isDay(s: unknown): s is string {
  return typeof s === 'string' && !Number.isNaN(parse(s)) && fmt(parse(s)) === s
}

/** lastDays is the period of the last n days ending today (inclusive). */
export function lastDays(today: string, n: number): [string, string] {
  return [addDays(today, -(n - 1)), today]
}

/**
 * buckets splits [from, to] (inclusive dates) for a trend: by calendar
 * month when it spans more than 62 days (the last `max` months), else by
 * week (7-day steps from `from`, the last one possibly shorter).
 */
export function buckets(from: string, to: string, max = 12): Bucket[] {
  const a = parse(from)
  const b = parse(to)
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return []
  const span = (b - a) / 86_400_000 + 1
  const out: Bucket[] = []
  if (span > 62) {
    let y = new Date(a).getUTCFullYear()
    let m = new Date(a).getUTCMonth()
    for (;;) {
      const start = Math.max(a, Date.UTC(y, m, 1))
      const end = Math.min(b, Date.UTC(y, m + 1, 0))
      if (start > b) break
      out.push({ label: `${y}-${pad(m + 1)}`, from: fmt(start), to: fmt(end) })
      m += 1
      if (m > 11) {
        m = 0
        y += 1
      }
    }
  } else {
    for (let s = a; s <= b; s += 7 * 86_400_000) {
      const e = Math.min(b, s + 6 * 86_400_000)
      out.push({ label: fmt(s).slice(5), from: fmt(s), to: fmt(e) })
    }
  }
  return out.slice(-max)
}

/**
 * apiPeriod turns inclusive local dates into the API's [from, to) instants
 * with toUtc (the user's zone): from's midnight to the midnight after to.
 */
export function apiPeriod(from: string, to: string, toUtc: (wall: string) => string): { from: string; to: string } {
  return { from: toUtc(`${from} 00:00:00`), to: toUtc(`${addDays(to, 1)} 00:00:00`) }
}
