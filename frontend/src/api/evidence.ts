// The evidence library (documents by type with effective and expiry dates,
// versions, approval). Shapes follow backend/internal/httpapi/
// handlers_certification.go. Freshness is derived by the server from the
// dates at read time.
import type { AxiosProgressEvent } from 'axios'
import { http } from './http'
import type { Text } from './readiness'

/**
 * Freshness of a document version: draft (not approved), not_yet_effective,
 * in_force, expiring (in force, expires soon), expired, superseded.
 */
export type Freshness = 'draft' | 'not_yet_effective' | 'in_force' | 'expiring' | 'expired' | 'superseded'

/** Status of a document type: the freshness of what counts, else "missing". */
export type TypeStatus = Freshness | 'missing'

/** httpapi.EvidenceResponse: one document version. */
export interface EvidenceDocument {
  id: number
  chain_id: number
  revision: number
  supersedes_id: number | null
  doc_type: string
  title: string
  description: string
  /** YYYY-MM-DD */
  effective_on: string
  expires_on: string | null
  approver: string
  approved_at: string | null
  approved_by: string
  sha256: string
  size: number
  content_type: string
  file_name: string
  uploaded_by: string
  created_at: string
  version: number
  freshness: Freshness
  clauses: string[]
}

/** GET /evidence */
export interface EvidenceList {
  items: EvidenceDocument[]
  allowed_extensions: string[]
}

/** One document type of the standard and what counts for it today. */
export interface EvidenceTypeStatus {
  type: string
  label: Text
  clauses: string[]
  status: TypeStatus
  current: EvidenceDocument | null
  latest: EvidenceDocument | null
}

/** GET /evidence/:id */
export interface EvidenceDetail {
  document: EvidenceDocument
  versions: EvidenceDocument[]
}

/** Fields of the multipart upload (POST /evidence). */
export interface UploadInput {
  doc_type: string
  title: string
  description?: string
  effective_on: string
  expires_on?: string
  approver?: string
  supersedes_id?: number
  file: Blob
  file_name: string
}

export async function listEvidence(query: { type?: string; history?: boolean } = {}): Promise<EvidenceList> {
  const params: Record<string, string> = {}
  if (query.type) params.type = query.type
  if (query.history) params.history = 'true'
  const res = await http.get<EvidenceList>('/evidence', { params })
  return { items: res.data.items ?? [], allowed_extensions: res.data.allowed_extensions ?? [] }
}

export async function listEvidenceTypes(): Promise<EvidenceTypeStatus[]> {
  const res = await http.get<{ items: EvidenceTypeStatus[] }>('/evidence/types')
  return res.data.items ?? []
}

export async function getEvidence(id: number): Promise<EvidenceDetail> {
  const res = await http.get<EvidenceDetail>(`/evidence/${id}`)
  return { document: res.data.document, versions: res.data.versions ?? [] }
}

/** uploadForm builds the multipart body the server reads. */
export function uploadForm(input: UploadInput): FormData {
  const fd = new FormData()
  fd.append('doc_type', input.doc_type)
  fd.append('title', input.title)
  if (input.description) fd.append('description', input.description)
  fd.append('effective_on', input.effective_on)
  if (input.expires_on) fd.append('expires_on', input.expires_on)
  if (input.approver) fd.append('approver', input.approver)
  if (input.supersedes_id) fd.append('supersedes_id', String(input.supersedes_id))
  fd.append('file', input.file, input.file_name)
  return fd
}

/**
 * Upload a document or a new version; a refused file is a 422 whose field
 * message says why. onProgress receives 0–100.
 */
export async function uploadEvidence(input: UploadInput, onProgress?: (percent: number) => void): Promise<EvidenceDocument> {
  const res = await http.post<EvidenceDocument>('/evidence', uploadForm(input), {
    timeout: 0,
    onUploadProgress: (e: AxiosProgressEvent) => {
      if (onProgress && e.total) onProgress(Math.min(100, Math.round((e.loaded / e.total) * 100)))
    },
  })
  return res.data
}

/** Approve a document version (optimistic lock on its version). */
export async function approveEvidence(id: number, version: number): Promise<EvidenceDocument> {
  const res = await http.post<EvidenceDocument>(`/evidence/${id}/approve`, { version })
  return res.data
}

/** Correct a document's effective and expiry dates. */
export async function patchEvidenceDates(
  id: number,
  body: { effective_on: string; expires_on: string | null; version: number },
): Promise<EvidenceDocument> {
  const res = await http.patch<EvidenceDocument>(`/evidence/${id}`, body)
  return res.data
}

/** The download address of a document's file (sent as an attachment). */
export function evidenceDownloadUrl(id: number): string {
  return `/api/v1/evidence/${id}/download`
}
