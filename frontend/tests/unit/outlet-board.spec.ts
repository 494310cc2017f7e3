import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { ApiError } from '@/api/errors'
import { i18n } from '@/i18n'
import type { Board } from '@/api/outlets'
import type { WorkOrder } from '@/api/workorders'
import type { SocketLike } from '@/stores/live'

vi.mock('@/api/outlets', () => ({ getBoard: vi.fn(), getOutlet: vi.fn(), listOutlets: vi.fn(), getScorecard: vi.fn() }))
vi.mock('@/api/workorders', () => ({ acceptWorkOrder: vi.fn(), rejectWorkOrder: vi.fn(), getWorkOrder: vi.fn() }))
vi.mock('@/api/regions', () => ({ searchRegions: vi.fn().mockResolvedValue([]), listRegions: vi.fn().mockResolvedValue([]) }))

import * as outlets from '@/api/outlets'
import * as workorders from '@/api/workorders'
import { useLiveStore } from '@/stores/live'
import { useSessionStore } from '@/stores/session'
import OutletBoardView from '@/views/outlet/OutletBoardView.vue'

const settle = async () => {
  for (let i = 0; i < 4; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}

function workOrder(id: number, patch: Partial<WorkOrder> = {}): WorkOrder {
  return {
    id,
    number: `WO20240501-00000${id}`,
    ticket_id: 100 + id,
    kind: 'repair',
    status: 'offered',
    allowed_steps: ['accept', 'reject', 'redispatch', 'cancel'],
    outlet_id: 1,
    customer_id: 9,
    unit_id: null,
    category_id: null,
    region_code: '440305',
    distance_band: 'city',
    attempts: 1,
    offered_at: '2024-05-01T01:30:00Z',
    offer_expires_at: '2024-05-01T02:30:00Z',
    accepted_at: null,
    technician_staff_id: null,
    technician_assigned_at: null,
    appointment_at: null,
    appointment_until: null,
    contacted_at: null,
    arrived_at: null,
    arrival_on_time: null,
    completed_at: null,
    signed_off_at: null,
    cancelled_at: null,
    contact_due_at: null,
    arrival_due_at: null,
    complete_due_at: null,
    created_at: '2024-05-01T01:30:00Z',
    updated_at: '2024-05-01T01:30:00Z',
    version: 3,
    ...patch,
  }
}

function board(offers: WorkOrder[], at = new Date().toISOString()): Board {
  const now = Date.parse(at)
  return {
    outlet_id: 1,
    at,
    offers_waiting: offers.map((w, i) => ({
      work_order: { ...w, offered_at: new Date(now - 1_200_000).toISOString(), offer_expires_at: new Date(now + (i + 1) * 600_000).toISOString() },
      expires_at: new Date(now + (i + 1) * 600_000).toISOString(),
      seconds_left: (i + 1) * 600,
    })),
    appointments_today: [],
    arrivals_overdue: [],
    technicians: [{ staff_id: 7, name: '张伟', open: 2, today: 1 }],
  }
}

class FakeSocket implements SocketLike {
  readyState = 0
  sent: { type: string; topics?: string[] }[] = []
  onopen: ((ev: unknown) => void) | null = null
  onclose: ((ev: unknown) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  send(data: string) {
    this.sent.push(JSON.parse(data))
  }
  close() {
    this.readyState = 3
  }
  open() {
    this.readyState = 1
    this.onopen?.({})
  }
  push(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) })
  }
}

let socket: FakeSocket

async function mountBoard(roles: ('outlet_manager' | 'technician')[] = ['outlet_manager']) {
  const session = useSessionStore()
  session.me = {
    id: 3,
    username: 'outlet_manager',
    display_name: '网点经理',
    roles,
    permissions: ['workorder:read', 'workorder:respond', 'outlet:read'],
    outlet_id: 1,
    timezone: 'Asia/Shanghai',
  }
  session.loaded = true
  const live = useLiveStore()
  socket = new FakeSocket()
  live.configure({ createSocket: () => socket, url: 'ws://test/api/v1/ws' })
  live.connect()
  socket.open()
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/outlet', name: 'outlet', component: OutletBoardView }] })
  await router.push('/outlet')
  const w = mount(OutletBoardView, { global: { plugins: [router, i18n], stubs: { transition: false } }, attachTo: document.body })
  await settle()
  return w
}

describe('OutletBoardView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(outlets.getOutlet).mockReset().mockResolvedValue({ id: 1, name: '深圳南山区服务中心' } as never)
    vi.mocked(outlets.getBoard).mockReset().mockResolvedValue(board([workOrder(1)]))
    vi.mocked(workorders.acceptWorkOrder).mockReset()
    vi.mocked(workorders.rejectWorkOrder).mockReset()
  })
  afterEach(() => {
    useLiveStore().disconnect()
    document.body.innerHTML = ''
  })

  it('shows the offers with a countdown and subscribes to the outlet topic', async () => {
    const w = await mountBoard()
    expect(outlets.getBoard).toHaveBeenCalledWith(1)
    const text = document.body.textContent ?? ''
    expect(text).toContain('网点看板 · 深圳南山区服务中心')
    expect(text).toContain('WO20240501-000001')
    const countdown = document.querySelector('[data-testid="offer-countdown"]')!
    expect(countdown.textContent?.trim()).toMatch(/^(9|10):\d{2}$/)
    expect(countdown.getAttribute('data-urgency')).toBe('warn')
    expect(socket.sent).toContainEqual({ type: 'subscribe', topics: ['outlet:1'] })
    w.unmount()
  })

  it('reloads the board when the outlet topic announces a change, without a page reload', async () => {
    const w = await mountBoard()
    socket.push({ type: 'subscribed', topics: ['outlet:1'] })
    await settle()
    expect(document.querySelector('[data-testid="outlet-live"]')?.getAttribute('data-subscription')).toBe('granted')
    vi.mocked(outlets.getBoard).mockResolvedValue(board([workOrder(1), workOrder(2)]))
    socket.push({ type: 'event', topic: 'outlet:1', name: 'workorder.offered', data: { work_order_id: 2 }, at: new Date().toISOString() })
    await new Promise((r) => setTimeout(r, 400)) // the board debounces bursts of events
    await settle()
    expect(outlets.getBoard).toHaveBeenCalledTimes(2)
    expect(document.body.textContent).toContain('WO20240501-000002')
    w.unmount()
  })

  it('accepts with the version read and refreshes', async () => {
    vi.mocked(workorders.acceptWorkOrder).mockResolvedValue(workOrder(1, { status: 'accepted' }))
    const w = await mountBoard()
    ;(document.querySelector('[data-testid="offer-accept-WO20240501-000001"]') as HTMLElement).click()
    await settle()
    expect(workorders.acceptWorkOrder).toHaveBeenCalledWith(1, 3)
    expect(outlets.getBoard).toHaveBeenCalledTimes(2)
    w.unmount()
  })

  it('will not reject without a reason, and shows the server field error', async () => {
    vi.mocked(workorders.rejectWorkOrder).mockRejectedValue(
      new ApiError({ status: 422, code: 'validation_failed', fields: { reason: 'required, at most 1000 characters' } }),
    )
    const w = await mountBoard()
    ;(document.querySelector('[data-testid="offer-reject-WO20240501-000001"]') as HTMLElement).click()
    await settle()
    ;(document.querySelector('[data-testid="reject-submit"]') as HTMLElement).click()
    await settle()
    await new Promise((r) => setTimeout(r, 200))
    expect(workorders.rejectWorkOrder).not.toHaveBeenCalled()
    expect(document.querySelector('[data-testid="reject-dialog"] .el-form-item__error')?.textContent).toContain('请填写拒单原因')

    const input = document.querySelector('[data-testid="reject-dialog"] textarea[name="reason"]') as HTMLTextAreaElement
    input.value = '  '
    input.dispatchEvent(new Event('input'))
    await settle()
    ;(document.querySelector('[data-testid="reject-submit"]') as HTMLElement).click()
    await settle()
    expect(workorders.rejectWorkOrder).not.toHaveBeenCalled() // blanks are no reason

    input.value = '超出服务范围'
    input.dispatchEvent(new Event('input'))
    await settle()
    ;(document.querySelector('[data-testid="reject-submit"]') as HTMLElement).click()
    await settle()
    await new Promise((r) => setTimeout(r, 200))
    expect(workorders.rejectWorkOrder).toHaveBeenCalledWith(1, '超出服务范围', 3)
    expect(document.querySelector('[data-testid="reject-dialog"] .el-form-item__error')?.textContent).toContain('required')
    w.unmount()
  })

  it('offers technicians no accept or reject', async () => {
    const w = await mountBoard(['technician'])
    expect(document.querySelector('[data-testid^="offer-accept-"]')).toBeNull()
    expect(document.querySelector('[data-testid^="offer-reject-"]')).toBeNull()
    w.unmount()
  })
})
