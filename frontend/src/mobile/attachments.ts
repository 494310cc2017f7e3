// Uploads of a job's photos and the customer's signature, through the
// attachments API (POST /work-orders/{id}/attachments, docs/attachments.md).
// Each upload is a queued multipart action with its Idempotency-Key, so it
// waits offline like every other write and a replay does not store it twice.
// The server keeps the signature's SHA-256 in the audit record.
import type { QueuedAction } from './queue'

/** Photo kinds the technician takes. */
export const PHOTO_KINDS = ['before', 'after', 'nameplate', 'fault'] as const
export type PhotoKind = (typeof PHOTO_KINDS)[number]

/** PHOTO_ATTACHMENT_KIND is the attachment kind of each photo. */
export const PHOTO_ATTACHMENT_KIND: Record<PhotoKind, string> = {
  before: 'before_photo',
  after: 'after_photo',
  nameplate: 'nameplate',
  fault: 'fault_photo',
}

/** uploadAction is the queued upload of a file to a work order. */
export function uploadAction(workOrderID: number, kind: string, blob: Blob, filename: string, label: string): Omit<QueuedAction, 'key' | 'state' | 'createdAt' | 'seq'> {
  return {
    method: 'POST',
    path: `/work-orders/${workOrderID}/attachments`,
    form: { fields: { kind }, files: [{ field: 'file', filename, blob }] },
    label,
    jobId: workOrderID,
  }
}
