// Turning failed API calls into one error type the views can show.
//
// The backend answers every non-2xx status with
//   {"error": {"code": "validation_failed", "message": "…", "details": {…},
//              "fields": {"phone": {"code": "invalid_format", "params": {"format": "phone"}}}}}
// and this module is the one place that reads that shape. Codes become words
// through i18n/apiErrors.ts in the user's language; the English message is
// shown only for a code the catalogue does not know.
import { i18n as consoleI18n } from '@/i18n'
import { errorCodeText, fieldErrorText, isFieldProblem, type FieldProblem, type Translate } from '@/i18n/apiErrors'

export type { Translate } from '@/i18n/apiErrors'

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
  /** Per-field messages, in the user's language, keyed by API field name. */
  readonly fields: Record<string, string>
  /** The field errors as the API sent them (code and params). */
  readonly problems: Record<string, FieldProblem>
  /** The error's details: the params of its code. */
  readonly details: Record<string, unknown>
  /** Seconds to wait, from a Retry-After header (429). */
  readonly retryAfter?: number
  /** The code exactly as the backend sent it (may be more specific, e.g. username_taken). */
  readonly rawCode?: string
  /** The field a non-validation error names through details.field. */
  readonly detailField?: string

  constructor(init: {
    status: number
    code: ErrorCode
    message?: string
    fields?: Record<string, string>
    problems?: Record<string, FieldProblem>
    details?: Record<string, unknown>
    retryAfter?: number
    rawCode?: string
    detailField?: string
  }) {
    super(init.message ?? '')
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.fields = init.fields ?? {}
    this.problems = init.problems ?? {}
    this.details = init.details ?? {}
    this.retryAfter = init.retryAfter
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

/**
 * readFields translates the API's field errors into the user's language
 * (keeping the coded form in problems); a plain string is kept as it is.
 */
function readFields(raw: unknown, i18n: Translate): { fields: Record<string, string>; problems: Record<string, FieldProblem> } {
  const fields: Record<string, string> = {}
  const problems: Record<string, FieldProblem> = {}
  if (!raw || typeof raw !== 'object') return { fields, problems }
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (isFieldProblem(v)) {
      problems[k] = v
      fields[k] = fieldErrorText(i18n, v)
    } else if (typeof v === 'string') fields[k] = v
    else if (Array.isArray(v)) fields[k] = v.filter((x) => typeof x === 'string').join('; ')
    else if (v !== null && v !== undefined) fields[k] = String(v)
  }
  return { fields, problems }
}

/** The console's vue-i18n, seen through the Translate interface. */
const globalTranslate: Translate = {
  t: (key, named) => consoleI18n.global.t(key, named ?? {}),
  te: (key) => consoleI18n.global.te(key),
}

/** fromResponse builds an ApiError from a non-2xx HTTP answer; field texts are in i18n's language. */
export function fromResponse(res: ResponseLike, i18n: Translate = globalTranslate): ApiError {
  const body = res.data as { error?: Record<string, unknown> } | undefined
  const e = body && typeof body === 'object' ? body.error : undefined
  const rawCode = e && typeof e.code === 'string' ? e.code : undefined
  const code: ErrorCode =
    rawCode && KNOWN_CODES.has(rawCode)
      ? (rawCode as ErrorCode)
      : (CODE_BY_STATUS[res.status] ?? (res.status >= 500 ? 'internal' : 'unknown'))
  const message = e && typeof e.message === 'string' ? e.message : undefined
  const { fields, problems } = readFields(e?.fields, i18n)
  // A conflict may name its field as {"details": {"field": "username"}}.
  const details = (e?.details && typeof e.details === 'object' ? e.details : {}) as Record<string, unknown>
  const detailField = typeof details.field === 'string' ? details.field : undefined
  if (detailField && !fields[detailField]) fields[detailField] = errorCodeText(i18n, rawCode, details) ?? message ?? code
  return new ApiError({
    status: res.status,
    code,
    rawCode,
    detailField,
    message,
    fields,
    problems,
    details,
    retryAfter: parseRetryAfter(header(res, 'retry-after')),
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

/**
 * describeError picks the text to show for an error: the translation of the
 * code the backend sent, with its details as params (apiErrors.codes.*);
 * for a validation error with one field, that field's problem; else the
 * console's own text for the code (errors.*); else the backend's English.
 */
export function describeError(err: unknown, i18n: Translate): string {
  const e = toApiError(err)
  if (e.code === 'network') return i18n.t('errors.network')
  const problems = Object.entries(e.problems)
  const only = problems.length === 1 ? problems[0] : undefined
  if (only && (e.rawCode === 'validation_failed' || e.rawCode === 'invalid_parameter')) {
    return fieldErrorText(i18n, only[1])
  }
  const coded = errorCodeText(i18n, e.rawCode ?? e.code, e.details)
  if (coded) return coded
  if (e.rawCode && i18n.te(`errors.${e.rawCode}`)) return i18n.t(`errors.${e.rawCode}`)
  if (e.message) return e.message
  return i18n.t(`errors.${e.code}`)
}
