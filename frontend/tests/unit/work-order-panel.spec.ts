import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '@/api/errors'
import { i18n } from '@/i18n'
import type { WorkOrder } from '@/api/workorders'

vi.mock('@/api/workorders', async (orig) => ({
  ...(await orig<typeof import('@/api/workorders')>()),
  getWorkOrder: vi.fn(),
  acceptWorkOrder: vi.fn(),
  rejectWorkOrder: vi.fn(),
  assignTechnician: vi.fn(),
  setAppointment: vi.fn(),
  contactCustomer: vi.fn(),
  checkIn: vi.fn(),
  completeWorkOrder: vi.fn(),
  signOff: vi.fn(),
}))
vi.mock('@/api/regions', () => ({ searchRegions: vi.fn().mockResolvedValue([]), listRegions: vi.fn().mockResolvedValue([]) }))
vi.mock('@/api/repairs', () => ({ listRepairs: vi.fn().mockResolvedValue({ items: [], total: 0, page: 1, size: 50 }) }))

import * as api from '@/api/workorders'
import { useSessionStore } from '@/stores/session'
import WorkOrderPanel from '@/views/outlet/WorkOrderPanel.vue'

const settle = async () => {
  for (let i = 0; i < 4; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}

const accepted = (patch: Partial<WorkOrder> = {}): WorkOrder =>
  ({
    id: 5,
    number: 'WO20240501-000005',
    ticket_id: 50,
    kind: 'installation',
    status: 'accepted',
    allowed_steps: ['assign', 'appointment', 'contact', 'cancel'],
    outlet_id: 1,
    region_code: '440305',
    distance_band: 'city',
    attempts: 1,
    offered_at: '2024-05-01T01:00:00Z',
    accepted_at: '2024-05-01T01:10:00Z',
    technician_staff_id: null,
    arrival_on_time: null,
    version: 4,
    offers: [],
    ...patch,
  }) as WorkOrder

function mountPanel(roles: ('outlet_manager' | 'technician')[]) {
  const session = useSessionStore()
  session.me = { id: 3, username: 'u', display_name: 'U', roles, permissions: ['workorder:read', 'workorder:respond'], outlet_id: 1, timezone: 'Asia/Shanghai' }
  session.loaded = true
  return mount(WorkOrderPanel, {
    props: { workOrderId: 5, technicians: [{ staff_id: 7, name: '张伟', open: 1, today: 0 }] },
    global: { plugins: [i18n], stubs: { transition: false } },
    attachTo: document.body,
  })
}

const buttons = () => [...document.querySelectorAll('[data-testid^="wo-step-"]')].map((b) => b.getAttribute('data-testid')!.slice(8))

describe('WorkOrderPanel', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(api.getWorkOrder).mockReset().mockResolvedValue(accepted())
    vi.mocked(api.assignTechnician).mockReset()
    vi.mocked(api.contactCustomer).mockReset()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('offers the allowed steps the role may take, never the dispatcher’s', async () => {
    const w = mountPanel(['outlet_manager'])
    await settle()
    expect(buttons()).toEqual(['assign', 'appointment', 'contact'])
    w.unmount()
    const t = mountPanel(['technician'])
    await settle()
    expect(buttons()).toEqual(['appointment', 'contact'])
    t.unmount()
  })

  it('needs a technician before assigning, then sends the version read', async () => {
    vi.mocked(api.assignTechnician).mockResolvedValue(accepted({ status: 'assigned', technician_staff_id: 7, allowed_steps: ['assign', 'appointment', 'contact', 'check_in', 'cancel'], version: 5 }))
    const w = mountPanel(['outlet_manager'])
    await settle()
    ;(document.querySelector('[data-testid="wo-step-assign"]') as HTMLElement).click()
    await settle()
    ;(document.querySelector('[data-testid="wo-submit-assign"]') as HTMLElement).click()
    await settle()
    await new Promise((r) => setTimeout(r, 200))
    expect(api.assignTechnician).not.toHaveBeenCalled()
    expect(document.querySelector('[data-testid="wo-form-assign"] .el-form-item__error')?.textContent).toContain('请选择技师')
    w.unmount()
  })

  it('reloads and explains when someone else changed the work order (409)', async () => {
    vi.mocked(api.contactCustomer).mockRejectedValue(new ApiError({ status: 409, code: 'conflict', rawCode: 'version_conflict', message: 'stale' }))
    const w = mountPanel(['outlet_manager'])
    await settle()
    vi.mocked(api.getWorkOrder).mockResolvedValue(accepted({ status: 'scheduled', allowed_steps: ['assign', 'appointment', 'contact', 'check_in', 'cancel'], version: 6 }))
    ;(document.querySelector('[data-testid="wo-step-contact"]') as HTMLElement).click()
    await settle()
    ;(document.querySelector('[data-testid="wo-submit-contact"]') as HTMLElement).click()
    await settle()
    expect(api.contactCustomer).toHaveBeenCalledWith(5, '', 4)
    expect(document.querySelector('[data-testid="wo-alert"]')?.textContent).toContain('已被他人更新')
    expect(api.getWorkOrder).toHaveBeenCalledTimes(2)
    expect(document.querySelector('[data-testid="wo-status"]')?.textContent).toContain('已预约')
    expect(buttons()).toContain('check_in')
    w.unmount()
  })
})
