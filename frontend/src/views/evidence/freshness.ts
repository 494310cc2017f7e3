// How a document's freshness (derived by the server from its dates at read
// time) is shown: valid, expiring soon, expired, missing, plus the states
// before and after a document counts.
import type { TypeStatus } from '@/api/evidence'

/** The display bucket of a freshness state. */
export type FreshnessBucket = 'valid' | 'expiring' | 'expired' | 'missing' | 'draft' | 'not_yet' | 'superseded'

export function freshnessBucket(s: TypeStatus | string | null | undefined): FreshnessBucket {
  switch (s) {
    case 'in_force':
      return 'valid'
    case 'expiring':
      return 'expiring'
    case 'expired':
      return 'expired'
    case 'draft':
      return 'draft'
    case 'not_yet_effective':
      return 'not_yet'
    case 'superseded':
      return 'superseded'
    default:
      return 'missing'
  }
}

/** Element Plus tag type per bucket. */
export const BUCKET_TYPE: Record<FreshnessBucket, 'success' | 'warning' | 'danger' | 'info' | 'primary'> = {
  valid: 'success',
  expiring: 'warning',
  expired: 'danger',
  missing: 'danger',
  draft: 'primary',
  not_yet: 'info',
  superseded: 'info',
}

/** formatBytes shows a file size: 512 B, 1.5 KB, 2.3 MB. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '—'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
