import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '@/api/errors'
import type { Me } from '@/api/types'

vi.mock('@/api/auth', () => ({
  login: vi.fn(),
  logout: vi.fn(),
  fetchMe: vi.fn(),
  changePassword: vi.fn(),
}))

import * as auth from '@/api/auth'
import { useSessionStore } from '@/stores/session'

const agent: Me = {
  id: 2,
  username: 'agent',
  display_name: '坐席小王',
  roles: ['hotline_agent'],
  permissions: ['ticket:create', 'ticket:read', 'customer:read'],
  outlet_id: null,
  timezone: 'Asia/Shanghai',
}

const unauthenticated = () => new ApiError({ status: 401, code: 'unauthenticated' })

describe('session store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(auth.login).mockReset()
    vi.mocked(auth.logout).mockReset()
    vi.mocked(auth.fetchMe).mockReset()
  })

  it('starts signed out and unloaded', () => {
    const s = useSessionStore()
    expect(s.me).toBeNull()
    expect(s.loaded).toBe(false)
    expect(s.isAuthenticated).toBe(false)
    expect(s.hasPermission('ticket:read')).toBe(false)
    expect(s.timeZone).toBe('Asia/Shanghai')
  })

  it('load keeps the user from /me and asks only once', async () => {
    vi.mocked(auth.fetchMe).mockResolvedValue(agent)
    const s = useSessionStore()
    const [a, b] = await Promise.all([s.load(), s.load()])
    expect(a).toEqual(agent)
    expect(b).toEqual(agent)
    await s.load()
    expect(auth.fetchMe).toHaveBeenCalledTimes(1)
    expect(s.isAuthenticated).toBe(true)
    await s.load(true)
    expect(auth.fetchMe).toHaveBeenCalledTimes(2)
  })

  it('load resolves null on 401', async () => {
    vi.mocked(auth.fetchMe).mockRejectedValue(unauthenticated())
    const s = useSessionStore()
    expect(await s.load()).toBeNull()
    expect(s.loaded).toBe(true)
    expect(s.isAuthenticated).toBe(false)
  })

  it('load rejects on other failures and stays unloaded so it can retry', async () => {
    vi.mocked(auth.fetchMe).mockRejectedValueOnce(new ApiError({ status: 0, code: 'network' }))
    const s = useSessionStore()
    await expect(s.load()).rejects.toMatchObject({ code: 'network' })
    expect(s.loaded).toBe(false)
    vi.mocked(auth.fetchMe).mockResolvedValueOnce(agent)
    expect(await s.load()).toEqual(agent)
  })

  it('login keeps the user and their permissions', async () => {
    vi.mocked(auth.login).mockResolvedValue({ token: 't', expires_at: '2030-01-01T00:00:00Z', user: agent })
    const s = useSessionStore()
    const me = await s.login('agent', 'pw')
    expect(auth.login).toHaveBeenCalledWith('agent', 'pw')
    expect(me).toEqual(agent)
    expect(s.hasPermission('ticket:create')).toBe(true)
    expect(s.hasPermission('user:manage')).toBe(false)
    expect(s.hasAny('user:manage', 'ticket:read')).toBe(true)
    expect(s.hasAny('user:manage', 'audit:read')).toBe(false)
  })

  it('login passes errors through and stays signed out', async () => {
    vi.mocked(auth.login).mockRejectedValue(new ApiError({ status: 429, code: 'rate_limited', retryAfter: 600 }))
    const s = useSessionStore()
    await expect(s.login('agent', 'x')).rejects.toMatchObject({ status: 429, retryAfter: 600 })
    expect(s.isAuthenticated).toBe(false)
  })

  it('logout forgets the user even when the server call fails', async () => {
    vi.mocked(auth.login).mockResolvedValue({ token: 't', expires_at: '', user: agent })
    vi.mocked(auth.logout).mockRejectedValue(unauthenticated())
    const s = useSessionStore()
    await s.login('agent', 'pw')
    await s.logout()
    expect(auth.logout).toHaveBeenCalled()
    expect(s.me).toBeNull()
    expect(s.loaded).toBe(true)
  })

  it('uses the user time zone when valid, else Asia/Shanghai', async () => {
    const s = useSessionStore()
    vi.mocked(auth.login).mockResolvedValueOnce({ token: '', expires_at: '', user: { ...agent, timezone: 'Europe/Berlin' } })
    await s.login('a', 'b')
    expect(s.timeZone).toBe('Europe/Berlin')
    vi.mocked(auth.login).mockResolvedValueOnce({ token: '', expires_at: '', user: { ...agent, timezone: 'Bogus/Zone' } })
    await s.login('a', 'b')
    expect(s.timeZone).toBe('Asia/Shanghai')
  })

  it('clear signs out locally', async () => {
    vi.mocked(auth.fetchMe).mockResolvedValue(agent)
    const s = useSessionStore()
    await s.load()
    s.clear()
    expect(s.isAuthenticated).toBe(false)
    expect(await s.load()).toBeNull()
    expect(auth.fetchMe).toHaveBeenCalledTimes(1)
  })
})
