// Messages to customers (SMS, the enterprise's webhook) and the customer's
// public quote page. Shapes follow backend/internal/httpapi/handlers_messages.go
// exactly; see docs/messages.md.
import { http } from './http'
import type { Page } from './types'

export type MessageTrigger =
  | 'appointment_confirmed'
  | 'technician_on_the_way'
  | 'quote_waiting'
  | 'repair_completed'
  | 'survey_link'
  | 'recall_notice'
  | 'complaint_acknowledged'

export const MESSAGE_TRIGGERS: readonly MessageTrigger[] = [
  'appointment_confirmed',
  'technician_on_the_way',
  'quote_waiting',
  'repair_completed',
  'survey_link',
  'recall_notice',
  'complaint_acknowledged',
]

export type MessageStatus = 'queued' | 'deferred' | 'sent' | 'delivered' | 'failed' | 'log_only' | 'suppressed'

export const MESSAGE_STATUSES: readonly MessageStatus[] = ['queued', 'deferred', 'sent', 'delivered', 'failed', 'log_only', 'suppressed']

/** One message to a customer; the phone is always masked. */
export interface CustomerMessage {
  id: number
  trigger: MessageTrigger
  customer_id: number
  phone: string
  channel: string
  body: string
  params: Record<string, string>
  urgent: boolean
  status: MessageStatus
  not_before: string
  attempts: number
  provider: string
  provider_ref: string
  error: string
  ref_type: string
  ref_id: number
  resend_of: number | null
  sent_at: string | null
  delivered_at: string | null
  created_at: string
}

export interface MessageFilter {
  status?: string
  trigger?: string
  customer_id?: number
  page?: number
  size?: number
}

export async function listMessages(f: MessageFilter = {}): Promise<Page<CustomerMessage>> {
  const params: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '' && v !== 0) params[k] = v
  const res = await http.get<Page<CustomerMessage>>('/messages', { params })
  return res.data
}

/** resendMessage queues a copy (409 message_pending while the original waits). */
export async function resendMessage(id: number): Promise<CustomerMessage> {
  const res = await http.post<CustomerMessage>(`/messages/${id}/resend`)
  return res.data
}

/** How messages leave the server. */
export interface MessageChannels {
  sms_provider: string
  sms_log_only: boolean
  webhook_configured: boolean
  webhook_url: string
}

export async function messageChannels(): Promise<MessageChannels> {
  const res = await http.get<MessageChannels>('/messages/channels')
  return res.data
}

export interface MessageTemplate {
  trigger: MessageTrigger
  name: string
  body: string
  provider_template_id: string
  params: string
  enabled: boolean
  variables: string[]
  version: number
  updated_at: string
}

export async function listMessageTemplates(): Promise<MessageTemplate[]> {
  const res = await http.get<{ items: MessageTemplate[] }>('/message-templates')
  return res.data.items
}

export type MessageTemplatePatch = Partial<Pick<MessageTemplate, 'name' | 'body' | 'provider_template_id' | 'params' | 'enabled'>> & {
  version: number
}

/** updateMessageTemplate edits a template (409 on a stale version, 422 on an unknown variable). */
export async function updateMessageTemplate(trigger: string, patch: MessageTemplatePatch): Promise<MessageTemplate> {
  const res = await http.put<MessageTemplate>(`/message-templates/${encodeURIComponent(trigger)}`, patch)
  return res.data
}

export interface WebhookDelivery {
  id: number
  message_id: number
  status: 'pending' | 'delivered' | 'dead'
  attempts: number
  next_attempt_at: string
  last_status: number
  last_error: string
  delivered_at: string | null
  dead_at: string | null
  created_at: string
}

export async function listWebhookDeliveries(status = '', page = 1, size = 50): Promise<Page<WebhookDelivery>> {
  const params: Record<string, string | number> = { page, size }
  if (status) params.status = status
  const res = await http.get<Page<WebhookDelivery>>('/message-webhooks/deliveries', { params })
  return res.data
}

export async function redriveWebhookDelivery(id: number): Promise<WebhookDelivery> {
  const res = await http.post<WebhookDelivery>(`/message-webhooks/deliveries/${id}/redrive`)
  return res.data
}

// ---- the customer's public quote page (no login) ----

export interface PublicQuoteLine {
  kind: 'part' | 'labour'
  name: string
  qty: number
  unit_fen: number
  amount_fen: number
}

/** GET /public/quotes/{token}: records nothing (404 unknown, 410 quote_link_expired). */
export interface PublicQuote {
  number: string
  serial: string
  diagnosis: string
  lines: PublicQuoteLine[]
  total_fen: number
  expires_at: string
  answer: '' | 'approved' | 'declined'
  answered_at: string | null
}

export async function getPublicQuote(token: string): Promise<PublicQuote> {
  const res = await http.get<PublicQuote>(`/public/quotes/${encodeURIComponent(token)}`)
  return { ...res.data, lines: res.data.lines ?? [] }
}

/** answerPublicQuote answers once (409 already_answered, 410 quote_link_expired). */
export async function answerPublicQuote(token: string, decision: 'approve' | 'decline', reason = ''): Promise<PublicQuote> {
  const res = await http.post<PublicQuote>(`/public/quotes/${encodeURIComponent(token)}`, { decision, reason })
  return res.data
}

/** yuan formats fen as yuan with two decimals. */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2)
}
