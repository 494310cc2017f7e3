// The UI language: zh-CN by default, switchable, remembered in localStorage.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { i18n, isLocale, LOCALE_STORAGE_KEY, type Locale } from '@/i18n'

export const useLocaleStore = defineStore('locale', () => {
  const locale = ref<Locale>(i18n.global.locale.value as Locale)

  /** setLocale switches the UI language and remembers the choice. */
  function setLocale(next: string): void {
    if (!isLocale(next)) return
    locale.value = next
    i18n.global.locale.value = next
    try {
      localStorage.setItem(LOCALE_STORAGE_KEY, next)
    } catch {
      // Private mode or storage disabled: the choice lasts for this page only.
    }
    if (typeof document !== 'undefined') document.documentElement.lang = next
  }

  return { locale, setLocale }
})
