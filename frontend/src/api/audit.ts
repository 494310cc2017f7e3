// The audit trail (permission audit:read).
import { http } from './http'
import type { AuditPage, AuditQuery } from './types'

export async function listAudit(query: AuditQuery): Promise<AuditPage> {
  const params: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params[k] = v as string | number
  }
  const res = await http.get<AuditPage>('/audit', { params })
  return { items: res.data.items ?? [], next_before_id: res.data.next_before_id ?? null }
}
