import { describe, expect, it } from 'vitest'
import { groupRecords, parseRecordId, recordLink } from '@/views/readiness/records'

describe('records behind lost points', () => {
  it('parses kind:id', () => {
    expect(parseRecordId('complaint:123')).toEqual({ raw: 'complaint:123', kind: 'complaint', id: '123' })
    expect(parseRecordId('region:440305')).toMatchObject({ kind: 'region', id: '440305' })
    expect(parseRecordId('plain')).toEqual({ raw: 'plain', kind: '', id: 'plain' })
    expect(parseRecordId(':x')).toMatchObject({ kind: '' })
    expect(parseRecordId('x:')).toMatchObject({ kind: '' })
  })

  it('links only to pages the router knows and the user may open', () => {
    const pages: Record<string, { permission?: string }> = { '/tickets/5': { permission: 'ticket:read' }, '/evidence?doc=9': { permission: 'evidence:read' } }
    const resolve = (p: string) => pages[p] ?? null
    const all = () => true
    expect(recordLink(parseRecordId('ticket:5'), resolve, all)).toBe('/tickets/5')
    expect(recordLink(parseRecordId('ticket:5'), resolve, () => false)).toBeNull()
    expect(recordLink(parseRecordId('document:9'), resolve, all)).toBe('/evidence?doc=9')
    expect(recordLink(parseRecordId('complaint:1'), resolve, all)).toBeNull()
    expect(recordLink(parseRecordId('region:1'), resolve, all)).toBeNull()
  })

  it('groups by kind in order', () => {
    expect(groupRecords(['complaint:1', 'ticket:2', 'complaint:3']).map((g) => [g.kind, g.refs.map((r) => r.id)])).toEqual([
      ['complaint', ['1', '3']],
      ['ticket', ['2']],
    ])
    expect(groupRecords(null)).toEqual([])
  })
})
