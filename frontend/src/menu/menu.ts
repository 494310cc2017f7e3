// The side menu as data. Each entry names its route, its i18n title key, its
// icon and the permission it needs; the router takes each page's permission
// from here, so menu and route guard cannot disagree. menu.json is also read
// by the browser tests (e2e/run.mjs) to compute the menu a user must see.
import data from './menu.json'

/** MenuItem is one entry of the side menu. */
export interface MenuItem {
  /** Stable key; also the route name and the `data-menu-key` attribute. */
  key: string
  route: string
  /** vue-i18n key of the label. */
  title: string
  /** Name of an @element-plus/icons-vue icon. */
  icon: string
  /** Permission the user must hold to see the entry and open the page. */
  permission: string
  group: string
}

/** MenuGroup is a titled section of the menu. */
export interface MenuGroup {
  key: string
  title: string
}

/** A group with the entries a user may see; groups with none are left out. */
export interface VisibleGroup extends MenuGroup {
  items: MenuItem[]
}

export const MENU: readonly MenuItem[] = data.items
export const MENU_GROUPS: readonly MenuGroup[] = data.groups

/** menuItem returns the entry with a key, or throws for an unknown key. */
export function menuItem(key: string): MenuItem {
  const item = MENU.find((m) => m.key === key)
  if (!item) throw new Error(`unknown menu key: ${key}`)
  return item
}

/** visibleMenu keeps the entries whose permission is among `permissions`, in menu order. */
export function visibleMenu(
  permissions: Iterable<string>,
  menu: readonly MenuItem[] = MENU,
): MenuItem[] {
  const held = new Set(permissions)
  return menu.filter((m) => held.has(m.permission))
}

/** visibleGroups groups the visible entries, in group order, dropping empty groups. */
export function visibleGroups(
  permissions: Iterable<string>,
  menu: readonly MenuItem[] = MENU,
  groups: readonly MenuGroup[] = MENU_GROUPS,
): VisibleGroup[] {
  const items = visibleMenu(permissions, menu)
  return groups
    .map((g) => ({ ...g, items: items.filter((m) => m.group === g.key) }))
    .filter((g) => g.items.length > 0)
}

/** homeRoute is where a user lands after login: the first entry they may open. */
export function homeRoute(permissions: Iterable<string>): string | null {
  return visibleMenu(permissions)[0]?.route ?? null
}
