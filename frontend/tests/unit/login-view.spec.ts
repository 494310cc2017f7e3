import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent } from 'vue'
import { ApiError } from '@/api/errors'
import { i18n } from '@/i18n'

vi.mock('@/api/auth', () => ({ login: vi.fn(), logout: vi.fn(), fetchMe: vi.fn(), changePassword: vi.fn() }))

import * as auth from '@/api/auth'
import LoginView from '@/views/LoginView.vue'

const Stub = defineComponent({ render: () => null })

async function mountLogin(path = '/login') {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginView },
      { path: '/agent', component: Stub },
      { path: '/admin/users', component: Stub },
      { path: '/403', name: 'forbidden', component: Stub },
    ],
  })
  await router.push(path)
  const wrapper = mount(LoginView, { global: { plugins: [router, i18n] }, attachTo: document.body })
  return { wrapper, router }
}

async function fillAndSubmit(wrapper: Awaited<ReturnType<typeof mountLogin>>['wrapper']) {
  await wrapper.find('input[name="username"]').setValue('agent')
  await wrapper.find('input[name="password"]').setValue('secret')
  await wrapper.find('form').trigger('submit')
  await flushPromises()
  await new Promise((r) => setTimeout(r, 0))
  await flushPromises()
}

describe('LoginView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(auth.login).mockReset()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('shows the bad-credentials message in the UI language on 401', async () => {
    vi.mocked(auth.login).mockRejectedValue(
      new ApiError({ status: 401, code: 'unauthenticated', message: 'wrong username or password' }),
    )
    const { wrapper } = await mountLogin()
    await fillAndSubmit(wrapper)
    expect(auth.login).toHaveBeenCalledWith('agent', 'secret')
    expect(wrapper.find('[data-testid="login-error"]').text()).toContain('用户名或密码错误')
    wrapper.unmount()
  })

  it('shows the lock message with minutes from Retry-After on 429', async () => {
    vi.mocked(auth.login).mockRejectedValue(new ApiError({ status: 429, code: 'rate_limited', retryAfter: 600 }))
    const { wrapper } = await mountLogin()
    await fillAndSubmit(wrapper)
    const text = wrapper.find('[data-testid="login-error"]').text()
    expect(text).toContain('锁定')
    expect(text).toContain('10 分钟')
    wrapper.unmount()
  })

  it('goes back to the redirect page after login', async () => {
    vi.mocked(auth.login).mockResolvedValue({
      token: 't',
      expires_at: '',
      user: {
        id: 1,
        username: 'admin',
        display_name: 'Admin',
        roles: ['admin'],
        permissions: ['user:manage'],
        outlet_id: null,
        timezone: 'Asia/Shanghai',
      },
    })
    const { wrapper, router } = await mountLogin('/login?redirect=/admin/users')
    await fillAndSubmit(wrapper)
    expect(router.currentRoute.value.path).toBe('/admin/users')
    wrapper.unmount()
  })

  it('does not call the API when fields are empty', async () => {
    const { wrapper } = await mountLogin()
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(auth.login).not.toHaveBeenCalled()
    wrapper.unmount()
  })
})
