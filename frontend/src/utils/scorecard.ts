// Periods and figures of the outlet scorecard: month windows for the trend
// (local calendar dates, `to` exclusive, as GET /outlets/{id}/scorecard
// reads them), rates as percentages and response times in words.

/** A period of whole local days: from inclusive, to exclusive ("YYYY-MM-DD"). */
export interface Period {
  label: string
  from: string
  to: string
}

function ymd(y: number, m: number, d: number): string {
  const dt = new Date(Date.UTC(y, m - 1, d))
  return `${dt.getUTCFullYear()}-${String(dt.getUTCMonth() + 1).padStart(2, '0')}-${String(dt.getUTCDate()).padStart(2, '0')}`
}

/**
 * monthWindows returns the last n calendar months up to and including the
 * month of `today` ("YYYY-MM-DD"), oldest first; the current month ends
 * tomorrow so it holds the days so far.
 */
export function monthWindows(today: string, n: number): Period[] {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number]
  const out: Period[] = []
  for (let i = n - 1; i >= 0; i--) {
    const start = new Date(Date.UTC(y, m - 1 - i, 1))
    const sy = start.getUTCFullYear()
    const sm = start.getUTCMonth() + 1
    const to = i === 0 ? ymd(y, m, d + 1) : ymd(sy, sm + 1, 1)
    out.push({ label: `${sy}-${String(sm).padStart(2, '0')}`, from: ymd(sy, sm, 1), to })
  }
  return out
}

/** addDays shifts a "YYYY-MM-DD" date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return ymd(y, m, d + days)
}

/** percent turns a 0–1 rate into a percentage with one decimal, or null. */
export function percent(rate: number | null | undefined): number | null {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return null
  return Math.round(rate * 1000) / 10
}

/** minutes turns seconds into minutes with one decimal, or null. */
export function minutes(seconds: number | null | undefined): number | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null
  return Math.round((seconds / 60) * 10) / 10
}

/**
 * humanDuration shows seconds as the two largest units with the unit
 * words given (so both languages read naturally): 95 → "1m 35s".
 */
export function humanDuration(seconds: number | null | undefined, units: { d: string; h: string; m: string; s: string }): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—'
  let s = Math.max(0, Math.round(seconds))
  const parts: [number, string][] = []
  const d = Math.floor(s / 86_400)
  s -= d * 86_400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  if (d) parts.push([d, units.d])
  if (h) parts.push([h, units.h])
  if (m) parts.push([m, units.m])
  if (s || parts.length === 0) parts.push([s, units.s])
  return parts
    .slice(0, 2)
    .map(([n, u]) => `${n}${u}`)
    .join(' ')
}
