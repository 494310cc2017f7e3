// Turning failed API calls into one error type the views can show.
//
// The backend answers every non-2xx status with
//   {"error": {"code": "validation_failed", "message": "…", "fields": {"phone": "…"}}}
// and this module is the one place that reads that shape.

/** Error codes the backend sends, plus two the client adds itself. */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'invalid_transition'
  | 'internal'
  /** The request never got an HTTP answer (offline, server down, timeout). */
  | 'network'
  /** An answer that does not follow the contract. */
  | 'unknown'

const KNOWN_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'invalid_transition',
  'internal',
  'network',
  'unknown',
])

/** Fallback code by HTTP status, for answers without a JSON error body. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation_failed',
  429: 'rate_limited',
}

/** ApiError is what every API call rejects with. */
export class ApiError extends Error {
  /** HTTP status, 0 when there was no answer. */
  readonly status: number
  readonly code: ErrorCode
  /** Per-field messages from a validation_failed answer, keyed by API field name. */
  readonly fields: Record<string, string>
  /** Seconds to wait, from a Retry-After header (429). */
  readonly retryAfter?: number
  /** Optional message key the backend may add so the UI can translate. */
  readonly key?: string
  /** The code exactly as the backend sent it (may be more specific, e.g. username_taken). */
  readonly rawCode?: string
  /** The field a non-validation error names through details.field. */
  readonly detailField?: string

  constructor(init: {
    status: number
    code: ErrorCode
    message?: string
    fields?: Record<string, string>
    retryAfter?: number
    key?: string
    rawCode?: string
    detailField?: string
  }) {
    super(init.message ?? '')
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.fields = init.fields ?? {}
    this.retryAfter = init.retryAfter
    this.key = init.key
    this.rawCode = init.rawCode
    this.detailField = init.detailField
  }
}

/** parseRetryAfter reads a Retry-After header (seconds or an HTTP date) into seconds. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const text = String(value).trim()
  if (text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text)
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, Math.ceil((at - now) / 1000))
}

interface ResponseLike {
  status: number
  data?: unknown
  headers?: Record<string, unknown> | { get?: (name: string) => unknown }
}

function header(res: ResponseLike, name: string): unknown {
  const h = res.headers as Record<string, unknown> | undefined
  if (!h) return undefined
  if (typeof (h as { get?: unknown }).get === 'function') {
    const v = (h as { get: (n: string) => unknown }).get(name)
    if (v !== undefined && v !== null) return v
  }
  return h[name] ?? h[name.toLowerCase()]
}

function stringFields(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!raw || typeof raw !== 'object') return out
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v
    else if (Array.isArray(v)) out[k] = v.filter((x) => typeof x === 'string').join('; ')
    else if (v !== null && v !== undefined) out[k] = String(v)
  }
  return out
}

/** fromResponse builds an ApiError from a non-2xx HTTP answer. */
export function fromResponse(res: ResponseLike): ApiError {
  const body = res.data as { error?: Record<string, unknown> } | undefined
  const e = body && typeof body === 'object' ? body.error : undefined
  const rawCode = e && typeof e.code === 'string' ? e.code : undefined
  const code: ErrorCode =
    rawCode && KNOWN_CODES.has(rawCode)
      ? (rawCode as ErrorCode)
      : (CODE_BY_STATUS[res.status] ?? (res.status >= 500 ? 'internal' : 'unknown'))
  const message = e && typeof e.message === 'string' ? e.message : undefined
  const fields = stringFields(e?.fields)
  // A conflict may name its field as {"details": {"field": "username"}}.
  const details = e?.details as { field?: unknown } | undefined
  const detailField = details && typeof details.field === 'string' ? details.field : undefined
  if (detailField && !fields[detailField]) fields[detailField] = message ?? code
  return new ApiError({
    status: res.status,
    code,
    rawCode,
    detailField,
    message,
    fields,
    retryAfter: parseRetryAfter(header(res, 'retry-after')),
    key: e && typeof e.key === 'string' ? e.key : undefined,
  })
}

/** toApiError turns anything an axios call can reject with into an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  const ax = err as { response?: ResponseLike; message?: string } | undefined
  if (ax && ax.response && typeof ax.response.status === 'number') return fromResponse(ax.response)
  return new ApiError({ status: 0, code: 'network', message: ax?.message })
}

/**
 * formErrors maps an error's field messages to form fields. API field names
 * are used as form keys unless `rename` says otherwise; an indexed or nested
 * name such as `roles[0]` or `address.city` also lands on its root (`roles`,
 * `address`). Errors that name no field give an empty map. With `i18n`, the
 * field named by details.field gets the translated error text.
 */
export function formErrors(
  err: unknown,
  rename: Record<string, string> = {},
  i18n?: Translate,
): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const out: Record<string, string> = {}
  for (const [field, raw] of Object.entries(err.fields)) {
    const msg = i18n && field === err.detailField ? describeError(err, i18n) : raw
    let key = rename[field]
    if (!key) {
      const root = field.split(/[.[]/)[0] ?? field
      key = rename[root] ?? (field === root ? field : root)
    }
    out[key] = out[key] ? `${out[key]}; ${msg}` : msg
  }
  return out
}

/** Translate is the subset of vue-i18n a message lookup needs. */
export interface Translate {
  t: (key: string, named?: Record<string, unknown>) => string
  te: (key: string) => boolean
}

/**
 * describeError picks the text to show for an error: the backend's message
 * key when the UI has a translation for it; a translation of a specific code
 * beyond the generic ones (e.g. errors.username_taken); else the backend's
 * message; else a translated text for the generic code.
 */
export function describeError(err: unknown, i18n: Translate): string {
  const e = toApiError(err)
  if (e.key && i18n.te(e.key)) return i18n.t(e.key)
  if (e.rawCode && !KNOWN_CODES.has(e.rawCode) && i18n.te(`errors.${e.rawCode}`)) {
    return i18n.t(`errors.${e.rawCode}`)
  }
  if (e.code === 'network') return i18n.t('errors.network')
  if (e.message) return e.message
  return i18n.t(`errors.${e.code}`)
}
