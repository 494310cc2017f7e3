// vue-i18n setup: Simplified Chinese by default, English on request; the
// choice is kept in localStorage (see stores/locale.ts).
import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN'
import en from './locales/en'
import type { ApiErrorCatalogue } from './apiErrorCatalogue'

/** Locales the UI ships. */
export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof SUPPORTED_LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'
/** LOCALE_STORAGE_KEY is where the user's choice is kept. */
export const LOCALE_STORAGE_KEY = 'aftersales.locale'

/** The console's messages, plus the API error catalogue under apiErrors
 * (merged in by loadApiErrors). */
export type MessageSchema = typeof zhCN & { apiErrors?: ApiErrorCatalogue }

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(v)
}

/** storedLocale reads the saved choice, falling back to zh-CN. */
export function storedLocale(storage: Pick<Storage, 'getItem'> | undefined = safeStorage()): Locale {
  try {
    const v = storage?.getItem(LOCALE_STORAGE_KEY)
    return isLocale(v) ? v : DEFAULT_LOCALE
  } catch {
    return DEFAULT_LOCALE
  }
}

function safeStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages: {
    'zh-CN': zhCN,
    en,
  },
  missingWarn: false,
  fallbackWarn: false,
})

let apiErrorsLoading: Promise<void> | undefined

/**
 * loadApiErrors merges the API error catalogues and the server labels' words
 * (labels.*, both languages) into the console's messages. They are a chunk of their own, asked for at start-up
 * (main.ts) but off the first paint's critical path: the login page and the
 * agent console must stay within their JS budget (npm run size). Until it
 * has arrived, an error shows the backend's English message.
 */
export function loadApiErrors(): Promise<void> {
  apiErrorsLoading ??= import('./apiErrorCatalogue')
    .then(({ apiErrorMessages, labelMessages }) => {
      for (const l of SUPPORTED_LOCALES) i18n.global.mergeLocaleMessage(l, { apiErrors: apiErrorMessages[l], ...labelMessages[l] })
    })
    .catch((err: unknown) => {
      apiErrorsLoading = undefined // a failed chunk load is tried again by the next call
      throw err
    })
  return apiErrorsLoading
}
