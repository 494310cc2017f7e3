// The strings of the certification pages (readiness dashboard, evidence,
// certification calendar, KPI pages, standard versions) are loaded with
// those pages, not with the login page and the agent console, to keep the
// initial bundle small. The router waits for them before showing a page.
import { i18n } from './index'

let loaded: Promise<void> | null = null

/** loadReadinessMessages merges both locales' strings once. */
export function loadReadinessMessages(): Promise<void> {
  loaded ??= Promise.all([import('./locales/readiness.zh-CN'), import('./locales/readiness.en')])
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
