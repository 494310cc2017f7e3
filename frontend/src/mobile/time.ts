// Times on the phone: stored in UTC, shown in the enterprise's zone
// (GET /me timezone, Asia/Shanghai by default).

export const DEFAULT_ZONE = 'Asia/Shanghai'

/** dayKey is the calendar date of an instant in a zone (YYYY-MM-DD). */
export function dayKey(iso: string | Date, zone = DEFAULT_ZONE): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

/** shortTime shows an instant as "12-07 14:30" in the zone. */
export function shortTime(iso: string | null | undefined, zone = DEFAULT_ZONE): string {
  if (!iso) return ''
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: zone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(new Date(iso))
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}
