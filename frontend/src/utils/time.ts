// Time display: the API speaks UTC RFC3339; people read their own time zone.
// Every view formats times through this module.

/** DEFAULT_TIME_ZONE is used when the user has none or an unknown one. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

type Style = 'datetime' | 'minute' | 'date'

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** isValidTimeZone reports whether the runtime knows an IANA zone name. */
export function isValidTimeZone(tz: string | null | undefined): tz is string {
  if (!tz) return false
  try {
    formatter(tz)
    return true
  } catch {
    return false
  }
}

interface WallClock {
  year: string
  month: string
  day: string
  hour: string
  minute: string
  second: string
}

function wallClock(ms: number, timeZone: string): WallClock {
  const out: Record<string, string> = {}
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) out[p.type] = p.value
  return {
    year: out.year ?? '',
    month: out.month ?? '',
    day: out.day ?? '',
    hour: out.hour === '24' ? '00' : (out.hour ?? ''),
    minute: out.minute ?? '',
    second: out.second ?? '',
  }
}

function toMillis(value: string | number | Date): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number') return value
  return Date.parse(value)
}

/**
 * formatDateTime shows an instant as wall-clock time in a zone:
 * "2024-05-01 16:30:00" (style datetime), "2024-05-01 16:30" (minute) or
 * "2024-05-01" (date). Empty or unparsable input gives `empty` ("—").
 */
export function formatDateTime(
  value: string | number | Date | null | undefined,
  timeZone: string = DEFAULT_TIME_ZONE,
  style: Style = 'datetime',
  empty = '—',
): string {
  if (value === null || value === undefined || value === '') return empty
  const ms = toMillis(value)
  if (Number.isNaN(ms)) return empty
  const tz = isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE
  const w = wallClock(ms, tz)
  const date = `${w.year}-${w.month}-${w.day}`
  if (style === 'date') return date
  if (style === 'minute') return `${date} ${w.hour}:${w.minute}`
  return `${date} ${w.hour}:${w.minute}:${w.second}`
}

/** offsetMinutes is how far a zone's wall clock is ahead of UTC at an instant. */
export function offsetMinutes(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone)
  const asUtc = Date.UTC(+w.year, +w.month - 1, +w.day, +w.hour, +w.minute, +w.second)
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000)
}

/**
 * wallTimeToUtc reads "YYYY-MM-DD HH:mm[:ss]" as wall-clock time in a zone
 * (what a person typed into a picker) and returns it as UTC RFC3339 for the
 * API, e.g. ("2024-05-01 08:00:00", "Asia/Shanghai") → "2024-05-01T00:00:00Z".
 */
export function wallTimeToUtc(wall: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(wall.trim())
  if (!m) throw new RangeError(`not a wall-clock time: ${wall}`)
  const tz = isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE
  const guess = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))
  let utc = guess - offsetMinutes(guess, tz) * 60_000
  // Near a DST change the offset at the guess and at the result can differ.
  const again = guess - offsetMinutes(utc, tz) * 60_000
  if (again !== utc) utc = again
  return toRfc3339(utc)
}

/** toRfc3339 formats an instant as UTC RFC3339 without milliseconds. */
export function toRfc3339(value: number | Date): string {
  const ms = value instanceof Date ? value.getTime() : value
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
