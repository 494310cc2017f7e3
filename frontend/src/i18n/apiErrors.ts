// The one place where the API's error codes become words. The backend sends
// every error and every field error as a code with params, e.g.
//   {"error": {"code": "validation_failed", "details": {…},
//              "fields": {"description": {"code": "too_long", "params": {"max": 4000}}}}}
// and the catalogues errors.<locale>.json (mounted under `apiErrors` in the
// desktop console's and the phone's vue-i18n) say them in zh-CN and English.
// A backend test (apperr/catalogue_test.go) fails when a code the backend
// writes has no entry in either catalogue.
// The catalogues themselves are in apiErrorCatalogue.ts.

/** FieldProblem is one field's error as the API sends it. */
export interface FieldProblem {
  code: string
  params?: Record<string, unknown>
  /** English, for logs; never shown when the code has a translation. */
  message?: string
}

/** Translate is the subset of vue-i18n a lookup needs. */
export interface Translate {
  t: (key: string, named?: Record<string, unknown>) => string
  te: (key: string) => boolean
}

/** entityKey is the catalogue key of an entity name ("work order" → work_order). */
export function entityKey(entity: string): string {
  return entity
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
}

function lookup(i18n: Translate, section: string, key: string): string | undefined {
  const path = `apiErrors.${section}.${key}`
  return key && i18n.te(path) ? i18n.t(path) : undefined
}

/**
 * namedParams turns an error's params into what a message interpolates:
 * lists joined in the language's way, entities and formats named in the
 * language, everything else as sent.
 */
export function namedParams(i18n: Translate, params: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const sep = lookup(i18n, 'list', 'separator') ?? ', '
  for (const [k, v] of Object.entries(params ?? {})) {
    if (Array.isArray(v)) out[k] = v.map(String).join(sep)
    else if (k === 'entity' && typeof v === 'string') out[k] = lookup(i18n, 'entities', entityKey(v)) ?? v
    else if (k === 'format' && typeof v === 'string') out[k] = lookup(i18n, 'formats', v) ?? v
    else out[k] = v
  }
  return out
}

/**
 * fieldErrorText says one field's problem in the current language; an
 * unknown code falls back to the backend's English message, then the code.
 */
export function fieldErrorText(i18n: Translate, p: FieldProblem): string {
  const path = `apiErrors.fields.${p.code}`
  if (p.code && i18n.te(path)) return i18n.t(path, namedParams(i18n, p.params))
  return p.message || p.code
}

/**
 * errorCodeText says a top-level error code (version_conflict, out_of_stock …)
 * in the current language with its details as params, or undefined when the
 * catalogue does not know the code.
 */
export function errorCodeText(i18n: Translate, code: string | undefined, details?: Record<string, unknown>): string | undefined {
  if (!code) return undefined
  const path = `apiErrors.codes.${code}`
  if (!i18n.te(path)) return undefined
  const named = namedParams(i18n, details)
  // not_found names its entity; without one it says "the record".
  if (code === 'not_found' && named.entity === undefined) named.entity = lookup(i18n, 'entities', 'record') ?? ''
  return i18n.t(path, named)
}

/** isFieldProblem reports whether v has the API's field-error shape. */
export function isFieldProblem(v: unknown): v is FieldProblem {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string'
}
