// The certification calendar as data: every dated step of the cycles
// (application … certificate and its expiry), every audit (due, agreed,
// held) and the surveillance windows, keyed by calendar day.
import type { Cycle } from '@/api/certification'

/** One dated mark in the calendar. */
export interface CalendarMark {
  day: string
  kind: 'phase' | 'audit' | 'held' | 'expiry'
  /** i18n key suffix naming the mark, e.g. "stage1_on" or "audit.surveillance". */
  label: string
  cycleId: number
  auditId?: number
  seq?: number
}

/** A surveillance or re-certification window [from, to]. */
export interface CalendarWindow {
  from: string
  to: string
  cycleId: number
  auditId: number
  kind: string
  seq: number
}

const PHASE_FIELDS = ['applied_on', 'contract_on', 'stage1_on', 'stage2_on', 'committee_on', 'issued_on'] as const

/** calendarMarks lists the dated marks of the cycles, sorted by day. */
export function calendarMarks(cycles: readonly Cycle[]): CalendarMark[] {
  const out: CalendarMark[] = []
  for (const c of cycles) {
    for (const f of PHASE_FIELDS) {
      const day = c[f]
      if (day) out.push({ day, kind: 'phase', label: f, cycleId: c.id })
    }
    if (c.expires_on) out.push({ day: c.expires_on, kind: 'expiry', label: 'expires_on', cycleId: c.id })
    for (const a of c.audits ?? []) {
      // Stage audits are recorded as phases already; show planned work here.
      if (a.held_on && a.status === 'done' && a.kind !== 'stage1' && a.kind !== 'stage2') {
        out.push({ day: a.held_on, kind: 'held', label: `audit.${a.kind}`, cycleId: c.id, auditId: a.id, seq: a.seq })
      } else if (a.status === 'planned') {
        out.push({ day: a.scheduled_on ?? a.due_on, kind: 'audit', label: `audit.${a.kind}`, cycleId: c.id, auditId: a.id, seq: a.seq })
      }
    }
  }
  return out.sort((a, b) => a.day.localeCompare(b.day))
}

/** calendarWindows lists the audit windows of planned audits. */
export function calendarWindows(cycles: readonly Cycle[]): CalendarWindow[] {
  const out: CalendarWindow[] = []
  for (const c of cycles) {
    for (const a of c.audits ?? []) {
      if (a.status !== 'planned' || !a.window_from || !a.window_to) continue
      out.push({ from: a.window_from, to: a.window_to, cycleId: c.id, auditId: a.id, kind: a.kind, seq: a.seq })
    }
  }
  return out
}

/** marksByDay indexes marks by their day. */
export function marksByDay(marks: readonly CalendarMark[]): Map<string, CalendarMark[]> {
  const m = new Map<string, CalendarMark[]>()
  for (const x of marks) m.set(x.day, [...(m.get(x.day) ?? []), x])
  return m
}

/** inWindow reports whether a day (YYYY-MM-DD) lies in any window. */
export function inWindow(day: string, windows: readonly CalendarWindow[]): boolean {
  return windows.some((w) => day >= w.from && day <= w.to)
}

/** daysBetween counts whole days from a to b (both YYYY-MM-DD), negative when b is earlier. */
export function daysBetween(a: string, b: string): number {
  const pa = Date.UTC(+a.slice(0, 4), +a.slice(5, 7) - 1, +a.slice(8, 10))
  const pb = Date.UTC(+b.slice(0, 4), +b.slice(5, 7) - 1, +b.slice(8, 10))
  return Math.round((pb - pa) / 86_400_000)
}
