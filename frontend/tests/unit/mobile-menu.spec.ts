import { describe, expect, it } from 'vitest'
import { visibleMenu } from '@/mobile/menu'
import type { Me } from '@/mobile/api'

const me = (roles: string[], permissions: string[]): Me => ({
  id: 1, username: 'u', display_name: 'u', roles, permissions, outlet_id: 1, timezone: 'Asia/Shanghai',
})

describe('the phone menu follows the permissions', () => {
  it('gives an outlet manager offers, today, jobs, parts and the inbox', () => {
    const om = me(['outlet_manager'], ['workorder:read', 'workorder:respond', 'outlet:read', 'product:read', 'ticket:read', 'kpi:read'])
    expect(visibleMenu(om).map((m) => m.key)).toEqual(['offers', 'today', 'jobs', 'parts', 'inbox'])
  })
  it('gives a technician no offers and no outlet board', () => {
    const tech = me(['technician'], ['workorder:read', 'workorder:respond', 'product:read'])
    expect(visibleMenu(tech).map((m) => m.key)).toEqual(['jobs', 'parts', 'inbox'])
  })
  it('gives nobody signed out anything', () => {
    expect(visibleMenu(null)).toEqual([])
  })
})
