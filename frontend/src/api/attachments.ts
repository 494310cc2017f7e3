// Attachments of tickets, work orders, repairs, complaints and returns.
// Shapes follow backend/internal/httpapi/handlers_attachment.go; the
// routes live under each parent (docs/attachments.md).
import type { AxiosProgressEvent } from 'axios'
import { http } from './http'

export type AttachmentParent = 'ticket' | 'work_order' | 'repair' | 'complaint' | 'return'
export type AttachmentKind = 'purchase_invoice' | 'fault_photo' | 'before_photo' | 'after_photo' | 'nameplate' | 'signature' | 'other'
export const ATTACHMENT_KINDS: readonly AttachmentKind[] = [
  'purchase_invoice',
  'fault_photo',
  'before_photo',
  'after_photo',
  'nameplate',
  'signature',
  'other',
]

export interface Attachment {
  id: number
  parent_type: AttachmentParent
  parent_id: number
  kind: AttachmentKind
  note: string
  file_name: string
  content_type: string
  size: number
  sha256: string
  is_image: boolean
  width: number
  height: number
  metadata_stripped: boolean
  uploaded_by: string
  created_at: string
  version: number
  /** Paths under the site (with /api/v1), fetched with the session cookie. */
  file_url: string
  thumbnail_url: string | null
}

export interface AttachmentList {
  items: Attachment[]
  kinds: AttachmentKind[]
  extensions: string[]
  max_bytes: number
}

const SEGMENT: Record<AttachmentParent, string> = {
  ticket: 'tickets',
  work_order: 'work-orders',
  repair: 'repairs',
  complaint: 'complaints',
  return: 'returns',
}

/** attachmentsPath is the collection path of a parent record (under /api/v1). */
export function attachmentsPath(parent: AttachmentParent, id: number): string {
  return `/${SEGMENT[parent]}/${id}/attachments`
}

export async function listAttachments(parent: AttachmentParent, id: number): Promise<AttachmentList> {
  const res = await http.get<AttachmentList>(attachmentsPath(parent, id))
  return res.data
}

/** Upload one file; 413/415/422 come back as ApiError with fields.file. */
export async function uploadAttachment(
  parent: AttachmentParent,
  id: number,
  input: { kind: AttachmentKind; note?: string; file: Blob; fileName: string },
  onProgress?: (percent: number) => void,
): Promise<Attachment> {
  const fd = new FormData()
  fd.append('kind', input.kind)
  if (input.note) fd.append('note', input.note)
  fd.append('file', input.file, input.fileName)
  const res = await http.post<Attachment>(attachmentsPath(parent, id), fd, {
    timeout: 0,
    onUploadProgress: (e: AxiosProgressEvent) => {
      if (onProgress && e.total) onProgress(Math.min(100, Math.round((e.loaded / e.total) * 100)))
    },
  })
  return res.data
}

/** Remove (soft, audited); the version read guards against a stale view (409). */
export async function deleteAttachment(a: Attachment): Promise<void> {
  await http.delete(`${attachmentsPath(a.parent_type, a.parent_id)}/${a.id}`, { headers: { 'If-Match': String(a.version) } })
}

/** fileSrc makes an attachment URL usable in <img src> / <a href>. */
export function fileSrc(path: string): string {
  return path.startsWith('/api/') ? path : `/api/v1${path}`
}
