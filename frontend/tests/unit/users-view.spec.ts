import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent } from 'vue'
import { ApiError } from '@/api/errors'
import { i18n } from '@/i18n'

vi.mock('@/api/users', () => ({
  listUsers: vi.fn(),
  createUser: vi.fn(),
  setUserRoles: vi.fn(),
  disableUser: vi.fn(),
  enableUser: vi.fn(),
  resetUserPassword: vi.fn(),
}))

import * as users from '@/api/users'
import UsersView from '@/views/admin/UsersView.vue'

const Stub = defineComponent({ render: () => null })

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}

async function mountUsers() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/admin/users', name: 'users', component: UsersView },
      { path: '/admin/audit', name: 'audit', component: Stub },
    ],
  })
  await router.push('/admin/users')
  const wrapper = mount(UsersView, { global: { plugins: [router, i18n], stubs: { transition: false, 'transition-group': false } }, attachTo: document.body })
  await settle()
  return wrapper
}

describe('UsersView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(users.listUsers).mockReset().mockResolvedValue({
      items: [
        {
          id: 1,
          username: 'admin',
          display_name: '管理员',
          roles: ['admin'],
          outlet_id: null,
          disabled: false,
          expires_at: null,
          last_login_at: '2024-05-01T00:00:00Z',
          created_at: '2024-04-01T00:00:00Z',
        },
      ],
      total: 41,
      page: 1,
      size: 20,
    })
    vi.mocked(users.createUser).mockReset()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('lists users with times in Asia/Shanghai and the total', async () => {
    const w = await mountUsers()
    expect(users.listUsers).toHaveBeenCalledWith({ page: 1, size: 20, q: undefined })
    const text = document.body.textContent ?? ''
    expect(text).toContain('管理员')
    expect(text).toContain('系统管理员')
    expect(text).toContain('2024-05-01 08:00')
    expect(text).toContain('共 41 个用户')
    w.unmount()
  })

  it('searches with the keyword from page 1', async () => {
    const w = await mountUsers()
    await w.find('[data-testid="user-search"]').setValue('wang')
    await w.find('[data-testid="user-search-submit"]').trigger('click')
    await settle()
    expect(users.listUsers).toHaveBeenLastCalledWith({ page: 1, size: 20, q: 'wang' })
    w.unmount()
  })

  it('shows server field errors next to the fields of the create dialog', async () => {
    vi.mocked(users.createUser).mockRejectedValue(
      new ApiError({
        status: 422,
        code: 'validation_failed',
        message: '输入有误',
        fields: { username: '用户名已存在', outlet_id: '网点用户必须指定网点' },
      }),
    )
    const w = await mountUsers()
    await w.find('[data-testid="user-create"]').trigger('click')
    await settle()
    const dialog = document.querySelector('[data-testid="user-create-dialog"]') as HTMLElement
    expect(dialog).toBeTruthy()
    const set = async (name: string, value: string) => {
      const input = dialog.querySelector(`input[name="${name}"]`) as HTMLInputElement
      input.value = value
      input.dispatchEvent(new Event('input'))
      await settle()
    }
    await set('username', 'admin')
    await set('display_name', '重复')
    await set('password', 'secret123')
    ;(dialog.querySelector('[data-role="outlet_manager"] input') as HTMLInputElement).click()
    await settle()
    ;(document.querySelector('[data-testid="user-create-submit"]') as HTMLElement).click()
    await settle()
    await new Promise((r) => setTimeout(r, 200)) // Element Plus debounces the error state

    expect(users.createUser).toHaveBeenCalledWith({
      username: 'admin',
      display_name: '重复',
      password: 'secret123',
      roles: ['outlet_manager'],
    })
    const errors = [...dialog.querySelectorAll('.el-form-item')].map((item) => ({
      label: item.querySelector('.el-form-item__label')?.textContent?.trim(),
      error: item.querySelector('.el-form-item__error')?.textContent?.trim(),
    }))
    expect(errors).toContainEqual({ label: '用户名', error: '用户名已存在' })
    expect(errors).toContainEqual({ label: '所属网点', error: '网点用户必须指定网点' })
    w.unmount()
  })
})
