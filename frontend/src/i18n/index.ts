// vue-i18n setup: Simplified Chinese by default, English on request; the
// choice is kept in localStorage (see stores/locale.ts).
import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN'
import en from './locales/en'
import { apiErrorMessages, type ApiErrorCatalogue } from './apiErrors'

/** Locales the UI ships. */
export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof SUPPORTED_LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'
/** LOCALE_STORAGE_KEY is where the user's choice is kept. */
export const LOCALE_STORAGE_KEY = 'aftersales.locale'

/** The console's messages, plus the API error catalogue under apiErrors. */
export type MessageSchema = typeof zhCN & { apiErrors: ApiErrorCatalogue }

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
    'zh-CN': { ...zhCN, apiErrors: apiErrorMessages['zh-CN'] },
    en: { ...en, apiErrors: apiErrorMessages.en },
  },
  missingWarn: false,
  fallbackWarn: false,
})
