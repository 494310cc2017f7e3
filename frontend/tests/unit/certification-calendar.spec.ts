import { describe, expect, it } from 'vitest'
import type { Cycle } from '@/api/certification'
import { calendarMarks, calendarWindows, daysBetween, inWindow, marksByDay } from '@/views/certification/calendar'
import { formatBytes, freshnessBucket } from '@/views/evidence/freshness'

const cycle: Cycle = {
  id: 1, kind: 'initial', previous_cycle_id: null, body: '中国质量认证中心', standard: 'gbt27922-2011', status: 'certified', allowed: [],
  responsible: '陈静', applied_on: '2025-01-10', contract_on: '2025-02-01', stage1_on: '2025-03-01', stage2_on: '2025-04-15',
  committee_on: '2025-05-10', certificate_no: 'CQC-1', issued_on: '2025-05-20', expires_on: '2028-05-19', notes: '', version: 3,
  audits: [
    { id: 11, cycle_id: 1, kind: 'stage2', seq: 0, due_on: '2025-04-15', window_from: null, window_to: null, scheduled_on: null, held_on: '2025-04-15', status: 'done', lead_auditor: '', responsible: '', score: 86, band: 'three_star', findings: '', projected: null, version: 1 },
    { id: 12, cycle_id: 1, kind: 'surveillance', seq: 1, due_on: '2026-05-20', window_from: '2026-03-20', window_to: '2026-07-20', scheduled_on: '2026-06-02', held_on: null, status: 'planned', lead_auditor: '', responsible: '', score: null, band: '', findings: '', projected: null, version: 1 },
    { id: 13, cycle_id: 1, kind: 'surveillance', seq: 2, due_on: '2027-05-20', window_from: '2027-03-20', window_to: '2027-07-20', scheduled_on: null, held_on: null, status: 'planned', lead_auditor: '', responsible: '', score: null, band: '', findings: '', projected: null, version: 1 },
  ],
}

describe('certification calendar', () => {
  it('lists phases, planned audits (agreed date first) and the certificate expiry by day', () => {
    const marks = calendarMarks([cycle])
    expect(marks.map((m) => `${m.day} ${m.label}`)).toEqual([
      '2025-01-10 applied_on',
      '2025-02-01 contract_on',
      '2025-03-01 stage1_on',
      '2025-04-15 stage2_on',
      '2025-05-10 committee_on',
      '2025-05-20 issued_on',
      '2026-06-02 audit.surveillance',
      '2027-05-20 audit.surveillance',
      '2028-05-19 expires_on',
    ])
    expect(marksByDay(marks).get('2026-06-02')![0]!.auditId).toBe(12)
  })

  it('marks the surveillance windows', () => {
    const w = calendarWindows([cycle])
    expect(w).toHaveLength(2)
    expect(inWindow('2026-03-20', w)).toBe(true)
    expect(inWindow('2026-07-21', w)).toBe(false)
  })

  it('counts days to an audit', () => {
    expect(daysBetween('2026-11-26', '2026-12-26')).toBe(30)
    expect(daysBetween('2026-11-26', '2026-11-20')).toBe(-6)
  })
})

describe('evidence freshness display', () => {
  it('maps the server\'s freshness to valid / expiring soon / expired / missing', () => {
    expect(freshnessBucket('in_force')).toBe('valid')
    expect(freshnessBucket('expiring')).toBe('expiring')
    expect(freshnessBucket('expired')).toBe('expired')
    expect(freshnessBucket('missing')).toBe('missing')
    expect(freshnessBucket('draft')).toBe('draft')
    expect(freshnessBucket('not_yet_effective')).toBe('not_yet')
    expect(freshnessBucket(undefined)).toBe('missing')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(-1)).toBe('—')
  })
})
