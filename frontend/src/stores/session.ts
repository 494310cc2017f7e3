// The signed-in user. The browser is authenticated by the HttpOnly session
// cookie the backend sets at login, so no token is kept here.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as auth from '@/api/auth'
import { ApiError } from '@/api/errors'
import type { Me } from '@/api/types'
import { DEFAULT_TIME_ZONE, isValidTimeZone } from '@/utils/time'

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  /** loaded is true once the backend has told us who (if anyone) is signed in. */
  const loaded = ref(false)
  let pending: Promise<Me | null> | null = null

  const permissions = computed(() => new Set<string>(me.value?.permissions ?? []))
  const isAuthenticated = computed(() => me.value !== null)
  const timeZone = computed(() =>
    isValidTimeZone(me.value?.timezone) ? me.value!.timezone : DEFAULT_TIME_ZONE,
  )

  /** hasPermission reports whether the user holds a permission. */
  function hasPermission(permission: string): boolean {
    return permissions.value.has(permission)
  }

  /** hasAny reports whether the user holds at least one of the permissions. */
  function hasAny(...wanted: string[]): boolean {
    return wanted.some((p) => permissions.value.has(p))
  }

  /**
   * load asks the backend who is signed in (once, unless forced). It
   * resolves to null when nobody is; other failures reject.
   */
  function load(force = false): Promise<Me | null> {
    if (loaded.value && !force) return Promise.resolve(me.value)
    if (pending) return pending
    pending = auth
      .fetchMe()
      .then((m) => {
        me.value = m
        loaded.value = true
        return m
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) {
          me.value = null
          loaded.value = true
          return null
        }
        throw err
      })
      .finally(() => {
        pending = null
      })
    return pending
  }

  /** login signs in; it rejects with ApiError (401 bad credentials, 429 locked). */
  async function login(username: string, password: string): Promise<Me> {
    const res = await auth.login(username, password)
    me.value = res.user
    loaded.value = true
    return res.user
  }

  /** logout ends the session on the server (best effort) and forgets the user. */
  async function logout(): Promise<void> {
    try {
      await auth.logout()
    } catch {
      // Already signed out or offline: forget the user locally all the same.
    } finally {
      clear()
    }
  }

  /** clear forgets the user without asking the server (after a 401). */
  function clear(): void {
    me.value = null
    loaded.value = true
  }

  return { me, loaded, permissions, isAuthenticated, timeZone, hasPermission, hasAny, load, login, logout, clear }
})
