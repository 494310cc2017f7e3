// The phone's menu follows the signed-in user's permissions (GET /me), as the
// desktop console's menu does (src/menu/menu.json): an outlet manager gets
// offers, today's board, parts and the inbox; a technician their jobs,
// parts and the inbox. Every route also checks it (router.ts).
import type { Me } from './api'

export interface MobileMenuItem {
  key: 'offers' | 'today' | 'jobs' | 'parts' | 'inbox'
  route: string
  /** every permission listed is needed */
  permissions: string[]
}

/** The menu in display order; the first item a user may see is their home page. */
export const MOBILE_MENU: MobileMenuItem[] = [
  // Answering offers and the outlet's board are the outlet's, not one technician's.
  { key: 'offers', route: '/offers', permissions: ['workorder:respond', 'outlet:read'] },
  { key: 'today', route: '/today', permissions: ['workorder:read', 'outlet:read'] },
  { key: 'jobs', route: '/jobs', permissions: ['workorder:read'] },
  { key: 'parts', route: '/parts', permissions: ['product:read', 'workorder:read'] },
  { key: 'inbox', route: '/inbox', permissions: [] },
]

/** visibleMenu is the items me may open. */
export function visibleMenu(me: Me | null): MobileMenuItem[] {
  if (!me) return []
  const has = new Set(me.permissions)
  return MOBILE_MENU.filter((m) => m.permissions.every((p) => has.has(p)))
}

/** canOpen reports whether me may open the menu item key. */
export function canOpen(me: Me | null, key: MobileMenuItem['key']): boolean {
  return visibleMenu(me).some((m) => m.key === key)
}
