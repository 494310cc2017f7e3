// Route loading of the certification pages, kept tiny because the router
// imports it statically (it is part of the initial bundle):
// - their strings (readiness dashboard, evidence, certification calendar,
//   KPI pages, standard versions) load with those pages, not with the login
//   page and the agent console;
// - the dashboard's score request starts as soon as its route resolves, in
//   parallel with downloading the page's code, so the gauge paints sooner.
import { http } from '@/api/http'
import { i18n } from '@/i18n'

let loaded: Promise<void> | null = null

/** loadReadinessMessages merges both locales' strings once. */
export function loadReadinessMessages(): Promise<void> {
  loaded ??= Promise.all([import('@/i18n/locales/readiness.zh-CN'), import('@/i18n/locales/readiness.en')])
    .then(([zh, en]) => {
      i18n.global.mergeLocaleMessage('zh-CN', zh.default)
      i18n.global.mergeLocaleMessage('en', en.default)
    })
    .catch((err: unknown) => {
      loaded = null // try again on the next navigation
      throw err
    })
  return loaded
}

/** withReadinessMessages resolves a lazily imported page once its strings are in. */
export function withReadinessMessages<T>(page: Promise<T>): Promise<T> {
  return Promise.all([page, loadReadinessMessages()]).then(([p]) => p)
}

/** How long a prefetched answer may wait for its page. */
const PREFETCH_TTL_MS = 10_000
const prefetched = new Map<string, { at: number; data: Promise<unknown> }>()

/** prefetch starts a GET now; takePrefetched hands its answer to the page. */
export function prefetch(path: string): void {
  const data = http.get(path).then((r) => r.data as unknown)
  data.catch(() => {}) // the page sees the error when it takes the answer
  prefetched.set(path, { at: Date.now(), data })
}

/** takePrefetched returns a fresh prefetched answer once, or null. */
export function takePrefetched<T>(path: string): Promise<T> | null {
  const p = prefetched.get(path)
  prefetched.delete(path)
  if (!p || Date.now() - p.at > PREFETCH_TTL_MS) return null
  return p.data as Promise<T>
}

/** loadReadinessDashboard is the dashboard's route loader. */
export function loadReadinessDashboard<T>(page: () => Promise<T>): Promise<T> {
  prefetch('/readiness/score')
  return withReadinessMessages(page())
}
