import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios'
import {
  ApiError,
  describeError,
  formErrors,
  fromResponse,
  parseRetryAfter,
  toApiError,
} from '@/api/errors'
import { createHttp, setUnauthorizedHandler } from '@/api/http'
import { loadApiErrors } from '@/i18n'

const i18n = {
  t: (k: string, named?: Record<string, unknown>) => (named ? `${k}:${JSON.stringify(named)}` : `t(${k})`),
  te: (k: string) => k.startsWith('known.'),
}


// The console loads the API error catalogues after first paint (main.ts).
beforeAll(() => loadApiErrors())

describe('fromResponse', () => {
  it('reads the contract error body', () => {
    const e = fromResponse({
      status: 422,
      data: { error: { code: 'validation_failed', message: '输入有误', fields: { phone: '手机号格式不正确' } } },
    })
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(422)
    expect(e.code).toBe('validation_failed')
    expect(e.message).toBe('输入有误')
    expect(e.fields).toEqual({ phone: '手机号格式不正确' })
  })

  it('falls back to a code by status when the body is not JSON', () => {
    expect(fromResponse({ status: 404, data: '<html>' }).code).toBe('not_found')
    expect(fromResponse({ status: 409 }).code).toBe('conflict')
    expect(fromResponse({ status: 502 }).code).toBe('internal')
    expect(fromResponse({ status: 418 }).code).toBe('unknown')
  })

  it('keeps known codes even with another status, and maps unknown codes by status', () => {
    expect(fromResponse({ status: 409, data: { error: { code: 'invalid_transition' } } }).code).toBe('invalid_transition')
    expect(fromResponse({ status: 403, data: { error: { code: 'weird' } } }).code).toBe('forbidden')
  })

  it('reads Retry-After from plain or axios-style headers', () => {
    expect(fromResponse({ status: 429, headers: { 'retry-after': '120' } }).retryAfter).toBe(120)
    const headers = { get: (n: string) => (n === 'retry-after' ? '30' : undefined) }
    expect(fromResponse({ status: 429, headers }).retryAfter).toBe(30)
    expect(fromResponse({ status: 429 }).code).toBe('rate_limited')
  })

  it('joins array field messages and ignores non-object fields', () => {
    const e = fromResponse({ status: 400, data: { error: { code: 'validation_failed', fields: { a: ['x', 'y'], b: 3 } } } })
    expect(e.fields).toEqual({ a: 'x; y', b: '3' })
    expect(fromResponse({ status: 400, data: { error: { fields: 'nope' } } }).fields).toEqual({})
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('90')).toBe(90)
    const now = Date.parse('2024-05-01T00:00:00Z')
    expect(parseRetryAfter('Wed, 01 May 2024 00:05:00 GMT', now)).toBe(300)
    expect(parseRetryAfter('Wed, 01 May 2024 00:00:00 GMT', now + 5000)).toBe(0)
  })
  it('ignores junk', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined()
    expect(parseRetryAfter('')).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})

describe('toApiError', () => {
  it('passes ApiError through and wraps axios errors', () => {
    const e = new ApiError({ status: 403, code: 'forbidden' })
    expect(toApiError(e)).toBe(e)
    expect(toApiError({ response: { status: 401, data: {} } }).code).toBe('unauthenticated')
  })
  it('treats no answer as a network error', () => {
    const e = toApiError(new Error('Network Error'))
    expect(e.status).toBe(0)
    expect(e.code).toBe('network')
  })
})

describe('formErrors (API field errors → form errors)', () => {
  const err = new ApiError({
    status: 422,
    code: 'validation_failed',
    fields: { username: '用户名已存在', display_name: '必填', 'roles[0]': '未知角色', 'address.city': '无效' },
  })

  it('keys by API field name, folding indexed and nested names onto the root', () => {
    expect(formErrors(err)).toEqual({
      username: '用户名已存在',
      display_name: '必填',
      roles: '未知角色',
      address: '无效',
    })
  })

  it('renames fields for forms with other keys', () => {
    expect(formErrors(err, { display_name: 'displayName', roles: 'roleList' })).toMatchObject({
      displayName: '必填',
      roleList: '未知角色',
    })
  })

  it('joins several messages landing on one field', () => {
    const e = new ApiError({ status: 422, code: 'validation_failed', fields: { 'roles[0]': 'a', 'roles[1]': 'b' } })
    expect(formErrors(e)).toEqual({ roles: 'a; b' })
  })

  it('gives nothing for errors without fields', () => {
    expect(formErrors(new ApiError({ status: 409, code: 'conflict' }))).toEqual({})
    expect(formErrors(new Error('x'))).toEqual({})
  })

  it('puts a conflict naming its field (details.field) on that field, translated when possible', () => {
    const e = fromResponse({
      status: 409,
      data: { error: { code: 'username_taken', message: 'username already exists', details: { field: 'username' } } },
    })
    expect(e.code).toBe('conflict')
    expect(e.rawCode).toBe('username_taken')
    // Without a translator the console's own language is used: zh-CN.
    expect(formErrors(e)).toEqual({ username: '用户名已存在' })
    const tr = { t: (k: string) => `t(${k})`, te: (k: string) => k === 'errors.username_taken' }
    expect(formErrors(e, {}, tr)).toEqual({ username: 't(errors.username_taken)' })
  })
})

describe('describeError', () => {
  it('prefers the code translation, then the console text for it, then the server message', () => {
    const tr = { t: (k: string) => `t(${k})`, te: (k: string) => k === 'apiErrors.codes.version_conflict' || k === 'errors.conflict' }
    expect(describeError(new ApiError({ status: 409, code: 'conflict', rawCode: 'version_conflict', message: 'changed' }), tr)).toBe(
      't(apiErrors.codes.version_conflict)',
    )
    expect(describeError(new ApiError({ status: 409, code: 'conflict', rawCode: 'odd_code', message: '重复' }), tr)).toBe('重复')
    expect(describeError(new ApiError({ status: 409, code: 'conflict' }), tr)).toBe('t(errors.conflict)')
    expect(describeError(new Error('boom'), i18n)).toBe('t(errors.network)')
  })

  it('never shows the English message of a code the catalogue knows', () => {
    const tr = { t: (k: string) => `t(${k})`, te: (k: string) => k.startsWith('errors.') }
    const specific = fromResponse({ status: 409, data: { error: { code: 'cannot_disable_self', message: 'you cannot' } } }, tr)
    expect(describeError(specific, tr)).toBe('t(errors.cannot_disable_self)')
    const generic = fromResponse({ status: 403, data: { error: { code: 'forbidden', message: 'your role may not user:manage' } } }, tr)
    expect(describeError(generic, tr)).toBe('t(errors.forbidden)')
  })
})

describe('http client', () => {
  afterEach(() => setUnauthorizedHandler(null))

  function answering(status: number, data: unknown): AxiosAdapter {
    return async (config: InternalAxiosRequestConfig) => {
      const res = { status, statusText: '', data, headers: {}, config }
      if (status >= 200 && status < 300) return res
      const err = Object.assign(new Error(`status ${status}`), { response: res, config, isAxiosError: true })
      throw err
    }
  }

  it('rejects with ApiError carrying the field errors', async () => {
    const http = createHttp()
    http.defaults.adapter = answering(422, { error: { code: 'validation_failed', message: 'bad', fields: { phone: 'x' } } })
    await expect(http.post('/customers', {})).rejects.toMatchObject({ code: 'validation_failed', fields: { phone: 'x' } })
  })

  it('calls the unauthorized handler on 401 unless the call opts out', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    const http = createHttp()
    http.defaults.adapter = answering(401, { error: { code: 'unauthenticated', message: 'no' } })
    await expect(http.get('/tickets')).rejects.toBeInstanceOf(ApiError)
    expect(handler).toHaveBeenCalledTimes(1)
    await expect(http.get('/me', { skipAuthRedirect: true })).rejects.toMatchObject({ status: 401 })
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('sends the UI language as Accept-Language', async () => {
    document.documentElement.lang = 'en'
    let seen: unknown
    const http = createHttp()
    http.defaults.adapter = async (config) => {
      seen = config.headers.get('Accept-Language')
      return { status: 200, statusText: '', data: {}, headers: {}, config }
    }
    await http.get('/me')
    expect(seen).toBe('en')
  })

  it('does not call the handler for other statuses', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    const http = createHttp()
    http.defaults.adapter = answering(403, { error: { code: 'forbidden', message: 'no' } })
    await expect(http.get('/users')).rejects.toMatchObject({ code: 'forbidden' })
    expect(handler).not.toHaveBeenCalled()
  })
})
