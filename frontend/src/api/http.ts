// The one axios instance every API module uses.
import axios, { type AxiosInstance } from 'axios'
import { ApiError, fromResponse, toApiError } from './errors'

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Do not treat a 401 answer as "session ended" (login, the first /me). */
    skipAuthRedirect?: boolean
  }
}

type UnauthorizedHandler = (err: ApiError) => void

let onUnauthorized: UnauthorizedHandler | null = null

/**
 * setUnauthorizedHandler registers what happens when any call (other than
 * those marked skipAuthRedirect) gets a 401: main.ts sends the user to the
 * login page and back afterwards.
 */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn
}

/** createHttp builds an axios instance that rejects with ApiError. */
export function createHttp(baseURL = '/api/v1'): AxiosInstance {
  const inst = axios.create({
    baseURL,
    withCredentials: true,
    timeout: 30_000,
    headers: { Accept: 'application/json' },
  })
  // Tell the backend the UI language so it may localise messages.
  inst.interceptors.request.use((config) => {
    const lang = typeof document === 'undefined' ? '' : document.documentElement.lang
    if (lang) config.headers.set('Accept-Language', lang)
    return config
  })
  inst.interceptors.response.use(
    (res) => res,
    (err: unknown) => {
      const ax = err as { response?: { status: number }; config?: { skipAuthRedirect?: boolean } }
      const apiErr = ax?.response ? fromResponse(ax.response as never) : toApiError(err)
      if (apiErr.status === 401 && !ax?.config?.skipAuthRedirect && onUnauthorized) {
        onUnauthorized(apiErr)
      }
      return Promise.reject(apiErr)
    },
  )
  return inst
}

/** http is the shared client for /api/v1. */
export const http = createHttp()
