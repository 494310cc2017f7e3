import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent } from 'vue'
import { ApiError } from '@/api/errors'
import { i18n } from '@/i18n'
import type { ScreenPop } from '@/api/customers'

vi.mock('@/api/customers', () => ({ screenPop: vi.fn(), createCustomer: vi.fn() }))
vi.mock('@/api/tickets', async (orig) => ({ ...(await orig<typeof import('@/api/tickets')>()), createTicket: vi.fn() }))
vi.mock('@/api/regions', () => ({ listRegions: vi.fn().mockResolvedValue([]), searchRegions: vi.fn() }))
vi.mock('@/api/outlets', () => ({ listOutlets: vi.fn().mockResolvedValue({ items: [], total: 0, page: 1, size: 50 }), getOutlet: vi.fn() }))

import * as customers from '@/api/customers'
import * as tickets from '@/api/tickets'
import AgentConsoleView from '@/views/agent/AgentConsoleView.vue'
import { useSessionStore } from '@/stores/session'

const Stub = defineComponent({ render: () => null })

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}
// Element Plus debounces a form item's error state.
const errorsShown = () => new Promise((r) => setTimeout(r, 200))
const mounted: { unmount: () => void }[] = []

const caller: ScreenPop = {
  customer: { id: 7, name: '王建国', kind: 'person', consent: { sms: true, survey: true, marketing: false }, version: 1, created_at: '', updated_at: '' },
  phones: [{ id: 1, number: '13800138000', masked: false, kind: 'mobile', label: '本人', primary: true }],
  addresses: [{ id: 1, region_code: '440305', region_name: '广东省 深圳市 南山区', detail: '科技园南区 1 栋', default: true }],
  units: [
    {
      id: 11,
      serial: 'AC35000011',
      model: { id: 1, code: 'KFR-35GW/JY1', name: '静悦 1.5匹' },
      category: { id: 1, code: 'AC', name: '空调' },
      customer_id: 7,
      purchase_date: '2026-05-01',
      purchase_proof: '',
      production_lot: '',
      production_date: null,
      installed_at: null,
      warranty: { state: 'repair', return_until: '2026-05-08', exchange_until: '2026-05-16', repair_until: '2027-04-30' },
      flags: [{ kind: 'recall_open', title_code: 'recall_open', title_params: { number: 'RC-1', title: '2026 年压缩机召回' }, ref: 'RC-1' }],
      version: 1,
      created_at: '2026-05-01T00:00:00Z',
    },
  ],
  open_tickets: [],
}

async function mountConsole() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/agent', name: 'agent', component: AgentConsoleView },
      { path: '/tickets/:id', name: 'ticket-detail', component: Stub },
    ],
  })
  await router.push('/agent')
  const w = mount(AgentConsoleView, { global: { plugins: [router, i18n], stubs: { transition: false, 'transition-group': false } }, attachTo: document.body })
  mounted.push(w)
  await settle()
  return w
}

async function popCaller(w: Awaited<ReturnType<typeof mountConsole>>) {
  await w.find('input[name="caller-phone"]').setValue('138 0013 8000')
  await w.find('input[name="caller-phone"]').trigger('keydown', { key: 'Enter' })
  await w.find('form.caller-row').trigger('submit')
  await settle()
}

// Mounting the whole console with Element Plus takes seconds on a busy machine.
describe('AgentConsoleView', { timeout: 30_000 }, () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    const session = useSessionStore()
    session.me = { id: 2, username: 'agent', display_name: '坐席', roles: ['hotline_agent'], permissions: ['ticket:create', 'customer:update', 'workorder:dispatch'], outlet_id: null, timezone: 'Asia/Shanghai' }
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(customers.screenPop).mockReset().mockResolvedValue(caller)
    vi.mocked(tickets.createTicket).mockReset()
  })
  afterEach(() => {
    // Unmount even after a failure, so no window listener leaks into the next test.
    while (mounted.length) mounted.pop()!.unmount()
    document.body.innerHTML = ''
  })

  it('shows the shortcuts and pops the caller with units, warranty and recall', async () => {
    const w = await mountConsole()
    expect(w.find('[data-testid="shortcuts"]').text()).toContain('F2')
    expect(w.find('[data-testid="shortcuts"]').text()).toContain('Ctrl')
    await popCaller(w)
    expect(customers.screenPop).toHaveBeenCalledWith('13800138000')
    expect(w.find('[data-testid="caller-name"]').text()).toBe('王建国')
    expect(w.find('[data-testid="recall-alert"]').exists()).toBe(true)
    expect(w.find('[data-testid="unit-warranty"]').text()).toBe('保修期内')
    // The only unit is selected and, being under recall, proposes a recall ticket.
    expect(w.find('[data-testid="ticket-type"] .is-active').text()).toBe('召回')
  })

  it('shows the server field error next to the field and retries with the same idempotency key', async () => {
    const w = await mountConsole()
    await popCaller(w)
    vi.mocked(tickets.createTicket).mockRejectedValueOnce(
      new ApiError({ status: 422, code: 'validation_failed', fields: { fault_code: "letters, digits, '_', '-', '.'; at most 32" } }),
    )
    await w.find('textarea[name="description"]').setValue('空调不制冷')
    await w.find('input[name="fault_code"]').setValue('E 1!')
    await w.find('[data-testid="ticket-submit"]').trigger('click')
    await settle()
    await errorsShown()
    const item = w.findAll('.el-form-item').find((f) => f.find('input[name="fault_code"]').exists())!
    expect(item.find('.el-form-item__error').text()).toContain('at most 32')
    const firstKey = vi.mocked(tickets.createTicket).mock.calls[0]![1]

    vi.mocked(tickets.createTicket).mockResolvedValueOnce({
      ticket: { id: 99, number: 'T20261126-000099', created_at: '2026-11-26T08:00:00Z', sla_due_at: null } as tickets.Ticket,
      replayed: false,
    })
    await w.find('input[name="fault_code"]').setValue('E1')
    await w.find('[data-testid="ticket-submit"]').trigger('click')
    await settle()
    const [body, key] = vi.mocked(tickets.createTicket).mock.calls[1]!
    expect(key).toBe(firstKey)
    expect(body).toMatchObject({ channel: 'phone', type: 'recall', customer_id: 7, unit_id: 11, fault_code: 'E1', description: '空调不制冷', region_code: '440305' })
    expect(w.find('[data-testid="created-number"]').text()).toBe('T20261126-000099')
  })

  it('Ctrl+Enter submits the ticket; a new form gets a new key', async () => {
    const w = await mountConsole()
    await popCaller(w)
    vi.mocked(tickets.createTicket).mockResolvedValue({
      ticket: { id: 5, number: 'T1', created_at: '2026-11-26T08:00:00Z', sla_due_at: null } as tickets.Ticket,
      replayed: false,
    })
    await w.find('textarea[name="description"]').setValue('第一单')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }))
    await settle()
    await w.find('textarea[name="description"]').setValue('第二单')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }))
    await settle()
    const calls = vi.mocked(tickets.createTicket).mock.calls
    expect(calls).toHaveLength(2)
    expect(calls[0]![1]).not.toBe(calls[1]![1])
  })

  it('an unknown number offers the inline new-customer form with the number filled in', async () => {
    vi.mocked(customers.screenPop).mockRejectedValueOnce(new ApiError({ status: 404, code: 'not_found' }))
    const w = await mountConsole()
    await popCaller(w)
    expect(document.body.textContent).toContain('尚无客户档案')
    // The dialog is loaded on demand.
    const phone = await vi.waitFor(
      () => {
        const el = document.querySelector<HTMLInputElement>('[data-testid="new-customer-dialog"] input[name="phone"]')
        if (!el) throw new Error('dialog not open yet')
        return el
      },
      { timeout: 10_000, interval: 50 },
    )
    expect(phone.value).toBe('13800138000')
  })
})
