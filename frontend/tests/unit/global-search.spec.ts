import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent } from 'vue'
import { i18n } from '@/i18n'

vi.mock('@/api/search', () => ({ search: vi.fn() }))

import * as api from '@/api/search'
import GlobalSearch from '@/components/GlobalSearch.vue'

const Stub = defineComponent({ render: () => null })

const result = {
  q: '0042',
  groups: [
    { kind: 'ticket', hits: [{ kind: 'ticket', id: 5, title: 'T20261207-000042', subtitle: 'repair', match: 'number_tail', score: 75 }] },
    {
      kind: 'customer',
      hits: [
        {
          kind: 'customer',
          id: 9,
          title: '王建国',
          subtitle: '13800138000',
          match: 'phone_tail',
          score: 70,
          customer: { customer: { id: 9, name: '王建国' }, phones: [{ id: 1, number: '13800138000', masked: false }], addresses: [] },
        },
      ],
    },
  ],
}

async function mountSearch() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: Stub },
      { path: '/tickets/:id', component: Stub },
      { path: '/agent', component: Stub },
      { path: '/outlet/work-orders/:id', component: Stub },
    ],
  })
  await router.push('/')
  const wrapper = mount(GlobalSearch, { global: { plugins: [router, i18n] }, attachTo: document.body })
  return { wrapper, router }
}

describe('GlobalSearch', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    document.body.innerHTML = ''
    vi.useFakeTimers()
    vi.mocked(api.search).mockReset().mockResolvedValue(result as never)
  })

  it('"/" focuses the box, typing searches and shows the hits grouped by kind', async () => {
    const { wrapper } = await mountSearch()
    const input = wrapper.find('input')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '/' }))
    expect(document.activeElement).toBe(input.element)
    await input.setValue('0042')
    vi.advanceTimersByTime(300)
    vi.useRealTimers()
    await flushPromises()
    expect(api.search).toHaveBeenCalledWith('0042')
    const groups = wrapper.findAll('.search-group')
    expect(groups.map((g) => g.attributes('data-kind'))).toEqual(['ticket', 'customer'])
    expect(groups[0].text()).toContain('服务工单')
    expect(groups[0].text()).toContain('尾号')
  })

  it('Enter opens the first hit; choosing a customer opens the agent console on their phone', async () => {
    const { wrapper, router } = await mountSearch()
    const input = wrapper.find('input')
    await input.setValue('0042')
    vi.advanceTimersByTime(300)
    vi.useRealTimers()
    await flushPromises()
    await input.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/tickets/5')
    await input.setValue('王')
    await new Promise((r) => setTimeout(r, 300))
    await flushPromises()
    await wrapper.find('[data-testid="search-hit-customer"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/agent')
    expect(router.currentRoute.value.query.phone).toBe('13800138000')
  })

  it('speaks English too', async () => {
    i18n.global.locale.value = 'en'
    const { wrapper } = await mountSearch()
    expect(wrapper.find('input').attributes('placeholder')).toContain('last digits')
  })
})
