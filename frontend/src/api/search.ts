// The one search (GET /search): typed hits grouped by kind, best first.
import { http } from './http'
import type { CustomerProfile } from './customers'

export type SearchKind = 'ticket' | 'work_order' | 'complaint' | 'customer' | 'unit'

export interface SearchHit {
  kind: SearchKind
  id: number
  title: string
  subtitle: string
  status?: string
  match: string
  score: number
  customer?: CustomerProfile
  ticket_id?: number
}

export interface SearchGroup {
  kind: SearchKind
  hits: SearchHit[]
}

export interface SearchResult {
  q: string
  groups: SearchGroup[]
}

/** search asks GET /search?q=. */
export async function search(q: string): Promise<SearchResult> {
  const res = await http.get<SearchResult>('/search', { params: { q } })
  return res.data
}
