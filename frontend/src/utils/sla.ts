// SLA countdowns as the hotline sees them: how long until the next
// deadline, and a colour that warns as the time runs out. Pure functions,
// evaluated every second against a ticking clock (composables/useNow.ts).
import type { SlaClock } from '@/api/tickets'
import { formatClock } from './countdown'

/**
 * none: no deadline; ok: running; warn: at least the warning fraction of
 * the time used (amber); breached: past the deadline (red); paused: the
 * clock is paused (the deadline moves on resume); done: met or stopped.
 */
export type SlaLevel = 'none' | 'ok' | 'warn' | 'breached' | 'paused' | 'done'

/** The default warning fraction (80 % of the time used), as the backend's policies. */
export const WARN_FRACTION = 0.8

/** What a countdown shows. seconds: until the deadline (negative once past); fraction: of the window used. */
export interface SlaView {
  level: SlaLevel
  seconds: number | null
  fraction: number | null
}

function ms(v: string | null | undefined): number | null {
  if (!v) return null
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : t
}

/**
 * fractionUsed is the share of the window start → due already gone at now
 * (0 before the start, above 1 after the due instant); null when the
 * window is unknown or empty.
 */
export function fractionUsed(startMs: number | null, dueMs: number | null, nowMs: number): number | null {
  if (startMs === null || dueMs === null || dueMs <= startMs) return null
  return Math.max(0, (nowMs - startMs) / (dueMs - startMs))
}

/**
 * secondsUntil is the whole seconds from now to due, rounded towards the
 * deadline so that 0 shows only once the time is up.
 */
export function secondsUntil(dueMs: number, nowMs: number): number {
  const d = dueMs - nowMs
  const s = d > 0 ? Math.ceil(d / 1000) : -Math.floor(-d / 1000)
  return s === 0 ? 0 : s
}

/**
 * rowSla grades a list row from its next deadline (sla_due_at). The list
 * does not carry the clock's start or warning instant, so the window is
 * counted from startAt (the ticket's creation) in wall time; the ticket
 * detail, which has every clock, uses clockSla instead.
 */
export function rowSla(
  dueAt: string | null | undefined,
  startAt: string | null | undefined,
  nowMs: number,
  warnAt: number = WARN_FRACTION,
): SlaView {
  const due = ms(dueAt)
  if (due === null) return { level: 'none', seconds: null, fraction: null }
  const seconds = secondsUntil(due, nowMs)
  const fraction = fractionUsed(ms(startAt), due, nowMs)
  if (nowMs >= due) return { level: 'breached', seconds, fraction }
  if (fraction !== null && fraction >= warnAt) return { level: 'warn', seconds, fraction }
  return { level: 'ok', seconds, fraction }
}

/**
 * clockSla grades one clock of the ticket detail at now: paused clocks do
 * not tick; met and stopped ones are done; an open clock is breached past
 * its due instant and amber from its warning instant (warn_from, or the
 * warning fraction of started → due when the server sent none).
 */
export function clockSla(c: SlaClock, nowMs: number): SlaView {
  const due = ms(c.due_at)
  const fraction = c.open ? fractionUsed(ms(c.started_at), due, nowMs) : c.fraction_used || null
  if (c.state === 'not_started') return { level: 'none', seconds: null, fraction: null }
  if (!c.open) {
    return { level: c.breached ? 'breached' : 'done', seconds: null, fraction: c.fraction_used ?? null }
  }
  if (c.state === 'paused') return { level: c.breached ? 'breached' : 'paused', seconds: c.remaining_seconds, fraction: c.fraction_used }
  if (due === null) return { level: c.breached ? 'breached' : 'none', seconds: null, fraction: null }
  const seconds = secondsUntil(due, nowMs)
  if (c.breached || nowMs >= due) return { level: 'breached', seconds, fraction }
  const warnFrom = ms(c.warn_from)
  if ((warnFrom !== null && nowMs >= warnFrom) || (warnFrom === null && fraction !== null && fraction >= WARN_FRACTION)) {
    return { level: 'warn', seconds, fraction }
  }
  return { level: 'ok', seconds, fraction }
}

/**
 * formatCountdown shows the seconds left as a clock ("1:02:03", "2d 3:04:05");
 * past the deadline it shows how long ago with a "+" ("+0:42"), which reads
 * as overdue next to a red tag. Null gives "—".
 */
export function formatCountdown(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—'
  if (seconds < 0) return `+${formatClock(-seconds)}`
  return formatClock(seconds)
}

/** Element Plus tag type per level. */
export function levelTagType(level: SlaLevel): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  switch (level) {
    case 'ok':
      return 'success'
    case 'warn':
      return 'warning'
    case 'breached':
      return 'danger'
    case 'paused':
      return 'primary'
    default:
      return 'info'
  }
}
