import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type RouteRecordRaw } from 'vue-router'
import { defineComponent } from 'vue'
import { ApiError } from '@/api/errors'
import type { Me, Permission } from '@/api/types'

vi.mock('@/api/auth', () => ({ login: vi.fn(), logout: vi.fn(), fetchMe: vi.fn(), changePassword: vi.fn() }))

import * as auth from '@/api/auth'
import { installGuards, routes, safeRedirect } from '@/router'

const Stub = defineComponent({ render: () => null })

// The real route table with stub components, so no view is loaded.
function stubbed(list: RouteRecordRaw[]): RouteRecordRaw[] {
  return list.map((r) => ({ ...r, component: Stub, children: r.children ? stubbed(r.children) : undefined }) as RouteRecordRaw)
}

function makeRouter() {
  const router = createRouter({ history: createMemoryHistory(), routes: stubbed(routes) })
  installGuards(router)
  return router
}

const me = (permissions: Permission[]): Me => ({
  id: 1,
  username: 'u',
  display_name: 'U',
  roles: ['hotline_agent'],
  permissions,
  outlet_id: null,
  timezone: 'Asia/Shanghai',
})

describe('route guard', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(auth.fetchMe).mockReset()
  })

  it('sends a signed-out user to /login with the page to come back to', async () => {
    vi.mocked(auth.fetchMe).mockRejectedValue(new ApiError({ status: 401, code: 'unauthenticated' }))
    const router = makeRouter()
    await router.push('/admin/users?page=2')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.redirect).toBe('/admin/users?page=2')
  })

  it('sends a signed-out user at / to /login without a redirect', async () => {
    vi.mocked(auth.fetchMe).mockRejectedValue(new ApiError({ status: 401, code: 'unauthenticated' }))
    const router = makeRouter()
    await router.push('/')
    expect(router.currentRoute.value.fullPath).toBe('/login')
  })

  it('lets public pages through without asking the server', async () => {
    const router = makeRouter()
    await router.push('/s/survey/abc')
    expect(router.currentRoute.value.name).toBe('public-survey')
    await router.push('/s/no/such/service')
    expect(router.currentRoute.value.name).toBe('public-unavailable')
    await router.push('/no/such/page')
    expect(router.currentRoute.value.name).toBe('not-found')
    expect(auth.fetchMe).not.toHaveBeenCalled()
  })

  it('opens a page the user may see and refuses one they may not', async () => {
    vi.mocked(auth.fetchMe).mockResolvedValue(me(['ticket:create', 'ticket:read']))
    const router = makeRouter()
    await router.push('/agent')
    expect(router.currentRoute.value.name).toBe('agent')
    await router.push('/admin/users')
    expect(router.currentRoute.value.name).toBe('forbidden')
    expect(router.currentRoute.value.query.from).toBe('/admin/users')
  })

  it('sends / to the first menu entry the user may open', async () => {
    vi.mocked(auth.fetchMe).mockResolvedValue(me(['audit:read', 'readiness:read']))
    const router = makeRouter()
    await router.push('/')
    expect(router.currentRoute.value.path).toBe('/readiness')
  })

  it('sends a user without any menu entry to the 403 page', async () => {
    vi.mocked(auth.fetchMe).mockResolvedValue(me([]))
    const router = makeRouter()
    await router.push('/')
    expect(router.currentRoute.value.name).toBe('forbidden')
    expect(router.currentRoute.value.query.reason).toBe('no-menu')
  })

  it('sends a signed-in user away from /login to the redirect target', async () => {
    vi.mocked(auth.fetchMe).mockResolvedValue(me(['kpi:read', 'audit:read']))
    const router = makeRouter()
    await router.push('/login?redirect=/admin/audit')
    expect(router.currentRoute.value.path).toBe('/admin/audit')
    await router.push('/login')
    expect(router.currentRoute.value.path).toBe('/kpi')
  })

  it('treats a failing /me as signed out', async () => {
    vi.mocked(auth.fetchMe).mockRejectedValue(new ApiError({ status: 0, code: 'network' }))
    const router = makeRouter()
    await router.push('/tickets')
    expect(router.currentRoute.value.name).toBe('login')
  })
})

describe('safeRedirect', () => {
  it('accepts local paths only', () => {
    expect(safeRedirect('/admin/users?q=a')).toBe('/admin/users?q=a')
    expect(safeRedirect(['/kpi'])).toBe('/kpi')
    expect(safeRedirect('https://evil.example')).toBeNull()
    expect(safeRedirect('//evil.example')).toBeNull()
    expect(safeRedirect('/\\evil.example')).toBeNull()
    expect(safeRedirect('/login?redirect=/x')).toBeNull()
    expect(safeRedirect(undefined)).toBeNull()
  })
})
