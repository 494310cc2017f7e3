// The phone's vue-i18n: its own small message set (the desktop console's
// catalogues are not loaded), zh-CN first; the choice is shared with the
// console through the same localStorage key.
import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN'
import en from './locales/en'
import { apiErrorMessages } from '@/i18n/apiErrorCatalogue'

const STORAGE_KEY = 'aftersales.locale'

function stored(): 'zh-CN' | 'en' {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: stored(),
  fallbackLocale: 'zh-CN',
  messages: {
    'zh-CN': { ...zhCN, apiErrors: apiErrorMessages['zh-CN'] },
    en: { ...en, apiErrors: apiErrorMessages.en },
  },
  missingWarn: false,
  fallbackWarn: false,
})
