// Showing the before/after JSON of audit records.

/** asValue parses a JSON string, leaves other values as they are. */
export function asValue(v: unknown): unknown {
  if (typeof v !== 'string') return v
  const s = v.trim()
  if (!(s.startsWith('{') || s.startsWith('['))) return v
  try {
    return JSON.parse(s)
  } catch {
    return v
  }
}

/** pretty formats a value as indented JSON; null/undefined/'' give null. */
export function pretty(v: unknown): string | null {
  const val = asValue(v)
  if (val === null || val === undefined || val === '') return null
  if (typeof val === 'string') return val
  return JSON.stringify(val, null, 2)
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * changedKeys lists the top-level keys whose values differ between two
 * objects (added, removed or changed), sorted. Non-objects give [].
 */
export function changedKeys(before: unknown, after: unknown): string[] {
  const b = asValue(before)
  const a = asValue(after)
  const bo = isPlainObject(b) ? b : {}
  const ao = isPlainObject(a) ? a : {}
  if (!isPlainObject(b) && !isPlainObject(a)) return []
  const keys = new Set([...Object.keys(bo), ...Object.keys(ao)])
  return [...keys].filter((k) => JSON.stringify(bo[k]) !== JSON.stringify(ao[k])).sort()
}
