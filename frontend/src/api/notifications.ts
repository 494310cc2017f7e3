// The signed-in user's own inbox. Shapes follow
// backend/internal/httpapi/handlers_notifications.go exactly.
import { http } from './http'
import type { Page } from './types'

export type NotificationKind =
  | 'offer_waiting'
  | 'offer_expiring'
  | 'complaint_escalated'
  | 'sla_warning'
  | 'sla_breached'
  | 'callback_due'
  | 'certificate_expiring'
  | 'audit_due'

/** One inbox entry; params feed the translated text of its kind. */
export interface AppNotification {
  id: number
  kind: NotificationKind | string
  title: string
  body: string
  link: string
  params: Record<string, unknown>
  read: boolean
  read_at: string | null
  created_at: string
}

export interface NotificationPage extends Page<AppNotification> {
  unread: number
}

export async function listNotifications(params: { page?: number; size?: number; unread?: boolean } = {}): Promise<NotificationPage> {
  const res = await http.get<NotificationPage>('/notifications', { params })
  return res.data
}

export async function unreadCount(): Promise<number> {
  const res = await http.get<{ unread: number }>('/notifications/unread-count')
  return res.data.unread
}

export async function markRead(id: number): Promise<AppNotification> {
  const res = await http.post<AppNotification>(`/notifications/${id}/read`)
  return res.data
}

export async function markAllRead(): Promise<number> {
  const res = await http.post<{ marked: number }>('/notifications/read-all')
  return res.data.marked
}
