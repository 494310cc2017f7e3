import { describe, expect, it } from 'vitest'
import { homeRoute, MENU, MENU_GROUPS, menuItem, visibleGroups, visibleMenu, type MenuItem } from '@/menu/menu'
import { MENU_ICONS } from '@/menu/icons'
import { routes } from '@/router'
import zhCN from '@/i18n/locales/zh-CN'
import en from '@/i18n/locales/en'
import type { Permission } from '@/api/types'

const ALL_PERMISSIONS: Permission[] = [
  'user:manage', 'audit:read', 'ticket:read', 'ticket:create', 'ticket:update', 'ticket:export',
  'customer:read', 'customer:update', 'outlet:read', 'outlet:manage', 'workorder:read',
  'workorder:dispatch', 'workorder:respond', 'sla:manage', 'readiness:read', 'readiness:run',
  'readiness:manage', 'evidence:read', 'evidence:manage', 'certification:read',
  'certification:manage', 'survey:manage', 'followup:work', 'complaint:read', 'complaint:manage',
  'kpi:read', 'product:manage', 'message:read',
]

const keys = (items: MenuItem[]) => items.map((m) => m.key)

function lookup(messages: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), messages)
}

describe('menu filter', () => {
  it('shows nothing without permissions', () => {
    expect(visibleMenu([])).toEqual([])
    expect(visibleGroups([])).toEqual([])
    expect(homeRoute([])).toBeNull()
  })

  it('shows every entry to a user holding every permission, in menu order', () => {
    expect(keys(visibleMenu(ALL_PERMISSIONS))).toEqual(MENU.map((m) => m.key))
  })

  it('hotline agent sees agent console and tickets, not users or audit', () => {
    const got = keys(visibleMenu(['ticket:create', 'ticket:read', 'customer:read']))
    expect(got).toEqual(['agent', 'tickets'])
  })

  it('admin-only permissions show the system group', () => {
    const groups = visibleGroups(['user:manage', 'audit:read'])
    expect(groups.map((g) => g.key)).toEqual(['system'])
    expect(keys(groups[0]!.items)).toEqual(['users', 'audit', 'privacyLog'])
  })

  it('auditor-style read permissions show read pages only', () => {
    const got = keys(visibleMenu(['readiness:read', 'evidence:read', 'certification:read', 'audit:read', 'kpi:read']))
    expect(got).toEqual(['readiness', 'evidence', 'certification', 'calibration', 'kpi', 'reports', 'audit', 'privacyLog'])
  })

  it('ignores unknown permissions and accepts any iterable', () => {
    expect(keys(visibleMenu(new Set(['nope:x', 'kpi:read'])))).toEqual(['kpi', 'reports'])
  })

  it('drops empty groups and keeps group order', () => {
    const groups = visibleGroups(['kpi:read', 'workorder:respond'])
    expect(groups.map((g) => g.key)).toEqual(['operations', 'analytics'])
    expect(keys(groups[0]!.items)).toEqual(['outlet'])
  })

  it('filters a menu passed in', () => {
    const menu: MenuItem[] = [
      { key: 'a', route: '/a', title: 't', icon: 'User', permission: 'p:a', group: 'g' },
      { key: 'b', route: '/b', title: 't', icon: 'User', permission: 'p:b', group: 'g' },
    ]
    expect(keys(visibleMenu(['p:b'], menu))).toEqual(['b'])
  })

  it('home is the first visible entry', () => {
    expect(homeRoute(['user:manage', 'ticket:read'])).toBe('/tickets')
  })

  it('menuItem throws for unknown keys', () => {
    expect(menuItem('users').route).toBe('/admin/users')
    expect(() => menuItem('nope')).toThrow()
  })
})

describe('menu model', () => {
  it('matches the brief: route and permission per entry', () => {
    expect(MENU.map((m) => [m.route, m.permission])).toEqual([
      ['/agent', 'ticket:create'],
      ['/tickets', 'ticket:read'],
      ['/followups', 'followup:work'],
      ['/messages', 'message:read'],
      ['/outlet', 'workorder:respond'],
      ['/readiness', 'readiness:read'],
      ['/evidence', 'evidence:read'],
      ['/certification', 'certification:read'],
      ['/readiness/calibration', 'readiness:read'],
      ['/kpi', 'kpi:read'],
      ['/reports', 'kpi:read'],
      ['/admin/users', 'user:manage'],
      ['/admin/audit', 'audit:read'],
      ['/admin/privacy-log', 'audit:read'],
      ['/admin/outlets', 'outlet:manage'],
      ['/admin/staff', 'outlet:manage'],
      ['/admin/sla', 'sla:manage'],
      ['/admin/surveys', 'survey:manage'],
      ['/admin/products', 'product:manage'],
      ['/admin/standards', 'readiness:manage'],
    ])
  })

  it('uses known permissions, known groups, known icons and translated titles', () => {
    const groupKeys = MENU_GROUPS.map((g) => g.key)
    for (const m of MENU) {
      expect(ALL_PERMISSIONS).toContain(m.permission)
      expect(groupKeys).toContain(m.group)
      expect(MENU_ICONS[m.icon], m.icon).toBeTruthy()
      expect(typeof lookup(zhCN, m.title), m.title).toBe('string')
      expect(typeof lookup(en, m.title), m.title).toBe('string')
    }
    for (const g of MENU_GROUPS) {
      expect(typeof lookup(zhCN, g.title)).toBe('string')
      expect(typeof lookup(en, g.title)).toBe('string')
    }
  })

  it('has a route for every entry, guarded by the same permission', () => {
    const shell = routes.find((r) => r.path === '/')!
    for (const m of MENU) {
      const r = shell.children!.find((c) => c.name === m.key)
      expect(r, m.key).toBeTruthy()
      expect('/' + r!.path).toBe(m.route)
      expect(r!.meta?.permission).toBe(m.permission)
    }
  })
})
