import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '@/api/errors'
import type { ScreenPop, UnitCard } from '@/api/customers'

vi.mock('@/api/customers', () => ({ screenPop: vi.fn() }))

import * as customers from '@/api/customers'
import { cleanPhone, looksLikePhone, ticketDraft, useScreenPopStore } from '@/stores/screenPop'

function unit(id: number, flags: UnitCard['flags'] = []): UnitCard {
  return {
    id,
    serial: `AC35${id}`,
    model: { id: 1, code: 'KFR-35GW/JY1', name: '静悦 1.5匹' },
    category: { id: 1, code: 'AC', name: '空调' },
    customer_id: 7,
    purchase_date: '2026-05-01',
    purchase_proof: '',
    production_lot: '',
    production_date: null,
    installed_at: null,
    warranty: { state: 'repair', return_until: null, exchange_until: null, repair_until: '2027-05-01' },
    flags,
    version: 1,
    created_at: '2026-05-01T00:00:00Z',
  }
}

function popOf(units: UnitCard[]): ScreenPop {
  return {
    customer: { id: 7, name: '王建国', kind: 'person', consent: { sms: true, survey: true, marketing: false }, version: 1, created_at: '', updated_at: '' },
    phones: [{ id: 1, number: '13800138000', masked: false, kind: 'mobile', label: '', primary: true }],
    addresses: [
      { id: 1, region_code: '440106', region_name: '广东省 广州市 天河区', detail: '体育西路 1 号', default: false },
      { id: 2, region_code: '440305', region_name: '广东省 深圳市 南山区', detail: '科技园', default: true },
    ],
    units,
    open_tickets: [],
  }
}

describe('cleanPhone', () => {
  it.each([
    ['138 0013 8000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['１３８００１３８０００', '13800138000'],
    ['0755-8600 1234', '0755-86001234'],
    ['(0755) 86001234', '075586001234'],
    ['010-6512-3456 转 801', '010-65123456转801'],
    ['  ', ''],
  ])('%s → %s', (raw, out) => {
    expect(cleanPhone(raw)).toBe(out)
  })

  it('tells plausible numbers from noise', () => {
    expect(looksLikePhone('13800138000')).toBe(true)
    expect(looksLikePhone('12345')).toBe(false)
    expect(looksLikePhone('abc')).toBe(false)
  })
})

describe('ticketDraft', () => {
  it('fills from the customer and the unit: phone channel, default address region', () => {
    const p = popOf([unit(1)])
    expect(ticketDraft(p, p.units[0]!)).toMatchObject({ customer_id: 7, unit_id: 1, channel: 'phone', type: 'repair', priority: 'normal', region_code: '440305' })
  })

  it('proposes a recall ticket for a unit under an open recall, a consultation without a unit', () => {
    const p = popOf([unit(1, [{ kind: 'recall_open', title_code: 'recall_open', title_params: { number: 'R1', title: '召回 2026-01' }, ref: 'R1' }])])
    expect(ticketDraft(p, p.units[0]!).type).toBe('recall')
    expect(ticketDraft(p, null)).toMatchObject({ type: 'consultation', unit_id: null })
    expect(ticketDraft(null, null)).toMatchObject({ customer_id: null, region_code: '' })
  })
})

describe('screen-pop store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(customers.screenPop).mockReset()
  })

  it('pops a known caller and selects the only unit', async () => {
    vi.mocked(customers.screenPop).mockResolvedValue(popOf([unit(1)]))
    const s = useScreenPopStore()
    expect(await s.pop(' 138 0013 8000 ')).toBe('found')
    expect(customers.screenPop).toHaveBeenCalledWith('13800138000')
    expect(s.data?.customer.name).toBe('王建国')
    expect(s.unitId).toBe(1)
    expect(s.recent).toEqual(['13800138000'])
  })

  it('leaves the unit open when there are several, and lists recall units', async () => {
    vi.mocked(customers.screenPop).mockResolvedValue(popOf([unit(1), unit(2, [{ kind: 'recall_open', title_code: 'recall_open', title_params: { number: 'x', title: 'r' }, ref: 'x' }])]))
    const s = useScreenPopStore()
    await s.pop('13800138000')
    expect(s.unitId).toBeNull()
    expect(s.recallUnits.map((u) => u.id)).toEqual([2])
    s.selectUnit(2)
    expect(s.unit?.id).toBe(2)
  })

  it('says unknown on 404, invalid on 422, error otherwise', async () => {
    const s = useScreenPopStore()
    vi.mocked(customers.screenPop).mockRejectedValueOnce(new ApiError({ status: 404, code: 'not_found' }))
    expect(await s.pop('13900000000')).toBe('unknown')
    vi.mocked(customers.screenPop).mockRejectedValueOnce(new ApiError({ status: 422, code: 'validation_failed', fields: { phone: 'bad' } }))
    expect(await s.pop('1390000000099999')).toBe('invalid')
    vi.mocked(customers.screenPop).mockRejectedValueOnce(new ApiError({ status: 0, code: 'network' }))
    expect(await s.pop('13900000000')).toBe('error')
    expect(s.data).toBeNull()
  })

  it('does not ask the server about noise', async () => {
    const s = useScreenPopStore()
    expect(await s.pop('12')).toBe('invalid')
    expect(await s.pop('')).toBe('idle')
    expect(customers.screenPop).not.toHaveBeenCalled()
  })

  it('keeps only the answer to the latest lookup', async () => {
    let first!: (v: ScreenPop) => void
    vi.mocked(customers.screenPop)
      .mockImplementationOnce(() => new Promise((r) => (first = r)))
      .mockResolvedValueOnce({ ...popOf([]), customer: { ...popOf([]).customer, id: 8, name: '李娜' } })
    const s = useScreenPopStore()
    const slow = s.pop('13800138000')
    await s.pop('13900139000')
    first(popOf([unit(1)]))
    await slow
    expect(s.data?.customer.name).toBe('李娜')
    expect(s.phone).toBe('13900139000')
  })

  it('clear forgets the caller and ignores a late answer', async () => {
    let late!: (v: ScreenPop) => void
    vi.mocked(customers.screenPop).mockImplementationOnce(() => new Promise((r) => (late = r)))
    const s = useScreenPopStore()
    const p = s.pop('13800138000')
    s.clear()
    late(popOf([unit(1)]))
    await p
    expect(s.status).toBe('idle')
    expect(s.data).toBeNull()
  })
})
