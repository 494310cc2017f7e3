// Administrative regions (GB/T 2260 codes), any signed-in user. Shapes
// follow backend/internal/httpapi/handlers_customer.go exactly.
import { http } from './http'

export type RegionLevel = 'province' | 'city' | 'district'

export interface Region {
  code: string
  name: string
  /** "广东省 深圳市 南山区" */
  full_name: string
  level: RegionLevel
  parent_code?: string
  has_children: boolean
}

/** listRegions returns the children of a region, or the provinces without one. */
export async function listRegions(parent?: string): Promise<Region[]> {
  const res = await http.get<{ items: Region[] | null }>('/regions', { params: parent ? { parent } : {} })
  return res.data.items ?? []
}

/** searchRegions finds regions by code prefix or name (type-ahead). */
export async function searchRegions(q: string, limit = 20): Promise<Region[]> {
  const res = await http.get<{ items: Region[] | null }>('/regions/search', { params: { q, limit } })
  return res.data.items ?? []
}
