import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent } from 'vue'
import { i18n } from '@/i18n'

vi.mock('@/api/notifications', () => ({
  listNotifications: vi.fn(),
  unreadCount: vi.fn(),
  markRead: vi.fn(),
  markAllRead: vi.fn(),
}))

import * as api from '@/api/notifications'
import NotificationBell from '@/components/NotificationBell.vue'
import { useLiveStore } from '@/stores/live'
import { useNotificationStore } from '@/stores/notifications'
import { useSessionStore } from '@/stores/session'

const Stub = defineComponent({ render: () => null })

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}

const sla = {
  id: 11,
  kind: 'sla_warning',
  title: 'SLA 即将超时：T-1',
  body: 'resolution',
  link: '/tickets/1',
  params: { number: 'T-1' },
  read: false,
  read_at: null,
  created_at: '2026-12-07T01:00:00Z',
}

async function mountBell() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: Stub },
      { path: '/tickets/:id', component: Stub },
      { path: '/outlet/work-orders/:id', component: Stub },
    ],
  })
  await router.push('/')
  const session = useSessionStore()
  session.me = { id: 7, username: 'agent', display_name: '坐席', roles: ['hotline_agent'], permissions: [], outlet_id: null, timezone: 'Asia/Shanghai' }
  const wrapper = mount(NotificationBell, { global: { plugins: [router, i18n], stubs: { transition: false } }, attachTo: document.body })
  await settle()
  return { wrapper, router }
}

describe('NotificationBell', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    document.body.innerHTML = ''
    vi.mocked(api.listNotifications).mockReset().mockResolvedValue({ items: [sla], total: 1, page: 1, size: 30, unread: 1 })
    vi.mocked(api.markRead).mockReset().mockResolvedValue({ ...sla, read: true, read_at: '2026-12-07T02:00:00Z' })
    vi.mocked(api.markAllRead).mockReset().mockResolvedValue(1)
  })

  it('subscribes to the user topic and shows the unread count', async () => {
    const { wrapper } = await mountBell()
    expect(useLiveStore().topics).toContain('user:7')
    const bell = wrapper.find('[data-testid="notification-bell"]')
    expect(bell.attributes('data-unread')).toBe('1')
    expect(wrapper.find('.el-badge__content').text()).toBe('1')
  })

  it('adds a live notification, translated from its kind, and counts it', async () => {
    const { wrapper } = await mountBell()
    useNotificationStore().handle({
      type: 'event',
      topic: 'user:7',
      name: 'notification.created',
      at: '2026-12-07T01:05:00Z',
      data: { id: 12, kind: 'offer_waiting', title: '新派工待接单：WO-9', body: '', link: '/outlet/work-orders/9', params: { number: 'WO-9' }, created_at: '2026-12-07T01:05:00Z', unread: 2 },
    })
    await settle()
    expect(wrapper.find('[data-testid="notification-bell"]').attributes('data-unread')).toBe('2')
    expect(useNotificationStore().items[0].id).toBe(12)
    // Opening the drawer reloads the page from the server, which has both.
    vi.mocked(api.listNotifications).mockResolvedValue({ items: [useNotificationStore().items[0], sla], total: 2, page: 1, size: 30, unread: 2 })
    await wrapper.find('[data-testid="notification-bell"]').trigger('click')
    await settle()
    const items = document.body.querySelectorAll('[data-testid="notification-item"]')
    expect(items.length).toBe(2)
    expect(items[0].textContent).toContain('新派工待接单：WO-9')
    expect(items[1].textContent).toContain('工单 T-1 的 SLA 即将超时')
    i18n.global.locale.value = 'en'
    await settle()
    expect(document.body.querySelector('[data-testid="notification-item"]')?.textContent).toContain('New work order waiting for your outlet: WO-9')
  })

  it('marks one read and opens its page; mark all read clears the badge', async () => {
    const { wrapper, router } = await mountBell()
    await wrapper.find('[data-testid="notification-bell"]').trigger('click')
    await settle()
    ;(document.body.querySelector('[data-testid="notification-item"]') as HTMLElement).click()
    await settle()
    expect(api.markRead).toHaveBeenCalledWith(11)
    expect(router.currentRoute.value.path).toBe('/tickets/1')
    expect(useNotificationStore().unread).toBe(0)

    useNotificationStore().handle({ type: 'event', topic: 'user:7', name: 'notification.read', at: '', data: { user_id: 7, unread: 4 } })
    expect(useNotificationStore().unread).toBe(4)
    await useNotificationStore().readAll()
    await settle()
    expect(api.markAllRead).toHaveBeenCalled()
    expect(wrapper.find('[data-testid="notification-bell"]').attributes('data-unread')).toBe('0')
  })
})
